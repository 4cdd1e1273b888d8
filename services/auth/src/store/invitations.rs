//! Invitations of the current tenant: created by a manager, accepted once before they lapse.

use std::time::Duration;

use chrono::{DateTime, Utc};
use coachai_common::auth::Role;
use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::models::users::parse_role;
use crate::tokens::{opaque_secret, secret_hash};

/// A stored invitation and its one-time secret.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// The invitation's id.
    pub id: Uuid,
    /// The secret to hand to the invitee.
    pub token: String,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// Creates an invitation of `email` as `role`; 409 when the email is already a user.
pub async fn create(
    tx: &mut TenantTx,
    email: &str,
    role: Role,
    invited_by: Uuid,
    ttl: Duration,
) -> Result<NewInvitation, AppError> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(email)
        .fetch_one(tx.conn())
        .await?;
    if exists {
        return Err(AppError::Conflict(
            "this email is already a user here".into(),
        ));
    }
    let token = opaque_secret();
    let creator = tx.creator().0;
    let ttl_secs = ttl.as_secs_f64();
    let (id, expires_at) = sqlx::query_as(
        "INSERT INTO invitations (creator_id, email, role, token_hash, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
         RETURNING id, expires_at",
    )
    .bind(creator)
    .bind(email)
    .bind(role.as_str())
    .bind(secret_hash(&token))
    .bind(invited_by)
    .bind(ttl_secs)
    .fetch_one(tx.conn())
    .await?;
    Ok(NewInvitation {
        id,
        token,
        expires_at,
    })
}

/// The email of the pending invitation `id`, without locking it.
pub async fn pending(tx: &mut TenantTx, id: Uuid) -> Result<Option<String>, AppError> {
    let email = sqlx::query_scalar(
        "SELECT email::text FROM invitations
          WHERE id = $1 AND accepted_at IS NULL AND expires_at > now()",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(email)
}

/// Claims the pending invitation `id` (locking it so it is used once); returns its email and
/// role, or `None` when it was accepted meanwhile or has lapsed.
pub async fn claim(tx: &mut TenantTx, id: Uuid) -> Result<Option<(String, Role)>, AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT email::text, role FROM invitations
          WHERE id = $1 AND accepted_at IS NULL AND expires_at > now() FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((email, role)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE invitations SET accepted_at = now() WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    let role = parse_role(&role).ok_or_else(|| AppError::internal("unknown invitation role"))?;
    Ok(Some((email, role)))
}
