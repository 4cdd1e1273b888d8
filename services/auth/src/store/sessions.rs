//! Refresh-token families: issue, rotate with reuse detection, revoke.
//!
//! Rotation locks the presented token's row (`SELECT … FOR UPDATE`), so of concurrent
//! refreshes of one token exactly one sees it `active`; the others wait, then see `rotated`
//! and, as for any reuse of a rotated token (RFC 6819 §5.2.2.3, OAuth 2.1), revoke the family.

use std::time::Duration;

use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::tokens::{opaque_secret, secret_hash};

/// What presenting a refresh token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live; it is now `rotated` and a child may be issued.
    Rotated {
        /// Owner of the family.
        user_id: Uuid,
        /// The family.
        family_id: Uuid,
        /// The token just rotated (the child's parent).
        token_id: Uuid,
    },
    /// The token had already been rotated: the family must be revoked.
    Reused {
        /// Owner of the family.
        user_id: Uuid,
        /// The family.
        family_id: Uuid,
    },
    /// Revoked or expired.
    Dead,
}

/// Where a new refresh token belongs.
#[derive(Debug, Clone, Copy)]
pub struct Lineage {
    /// The family (new on login).
    pub family_id: Uuid,
    /// The token it replaces.
    pub parent_id: Option<Uuid>,
}

impl Lineage {
    /// A new family.
    pub fn fresh() -> Self {
        Self {
            family_id: Uuid::new_v4(),
            parent_id: None,
        }
    }
}

/// Stores a new refresh token of `user` (hashed) and returns the secret.
pub async fn issue(
    tx: &mut TenantTx,
    user: Uuid,
    lineage: Lineage,
    ttl: Duration,
) -> Result<String, AppError> {
    let secret = opaque_secret();
    let creator = tx.creator().0;
    let ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2);
    sqlx::query(
        "INSERT INTO refresh_tokens (creator_id, user_id, family_id, parent_id, token_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))",
    )
    .bind(creator)
    .bind(user)
    .bind(lineage.family_id)
    .bind(lineage.parent_id)
    .bind(secret_hash(&secret))
    .bind(ttl_secs as f64)
    .execute(tx.conn())
    .await?;
    Ok(secret)
}

/// Rotates the token `id`, waiting for any concurrent rotation of it to finish first.
pub async fn rotate(tx: &mut TenantTx, id: Uuid) -> Result<Rotation, AppError> {
    let row: Option<(Uuid, Uuid, String, bool)> = sqlx::query_as(
        "SELECT user_id, family_id, status, expires_at > now()
           FROM refresh_tokens WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((user_id, family_id, status, live)) = row else {
        return Ok(Rotation::Dead);
    };
    match (status.as_str(), live) {
        ("active", true) => {
            sqlx::query(
                "UPDATE refresh_tokens SET status = 'rotated', used_at = now() WHERE id = $1",
            )
            .bind(id)
            .execute(tx.conn())
            .await?;
            Ok(Rotation::Rotated {
                user_id,
                family_id,
                token_id: id,
            })
        }
        ("rotated", _) => Ok(Rotation::Reused { user_id, family_id }),
        _ => Ok(Rotation::Dead),
    }
}

/// The family of token `id`, if visible.
pub async fn family_of(tx: &mut TenantTx, id: Uuid) -> Result<Option<(Uuid, Uuid)>, AppError> {
    let row = sqlx::query_as("SELECT user_id, family_id FROM refresh_tokens WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row)
}

/// Revokes every token of `family`; returns how many were still usable or rotated.
pub async fn revoke_family(tx: &mut TenantTx, family: Uuid) -> Result<u64, AppError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET status = 'revoked', revoked_at = now()
         WHERE family_id = $1 AND status <> 'revoked'",
    )
    .bind(family)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}
