//! API keys of the current tenant.

use coachai_common::auth::Role;
use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::models::api_keys::{ApiKeyCreated, ApiKeyView};
use crate::models::users::parse_role;

/// A key to store: the public prefix and the hash of the whole key.
#[derive(Debug, Clone)]
pub struct NewKey<'a> {
    /// Display name.
    pub name: &'a str,
    /// Public prefix (unique).
    pub prefix: &'a str,
    /// SHA-256 of the full key.
    pub hash: Vec<u8>,
    /// Scopes.
    pub scopes: &'a [String],
    /// Days until expiry.
    pub expires_in_days: Option<u32>,
    /// Creator of the key.
    pub created_by: Uuid,
}

/// Stores a key; the caller adds the secret to the returned view.
pub async fn insert(
    tx: &mut TenantTx,
    key: NewKey<'_>,
    secret: String,
) -> Result<ApiKeyCreated, AppError> {
    let creator = tx.creator().0;
    let (id, created_at, expires_at) = sqlx::query_as(
        "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash, scopes, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
         RETURNING id, created_at, expires_at",
    )
    .bind(creator)
    .bind(key.created_by)
    .bind(key.name)
    .bind(key.prefix)
    .bind(&key.hash)
    .bind(key.scopes)
    .bind(key.expires_in_days.and_then(|d| i32::try_from(d).ok()))
    .fetch_one(tx.conn())
    .await?;
    Ok(ApiKeyCreated {
        id,
        name: key.name.to_owned(),
        key: secret,
        prefix: key.prefix.to_owned(),
        scopes: key.scopes.to_vec(),
        created_at,
        expires_at,
    })
}

/// The tenant's keys, newest first.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<ApiKeyView>, AppError> {
    let keys = sqlx::query_as(
        "SELECT id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at
           FROM api_keys ORDER BY created_at DESC, id LIMIT 500",
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(keys)
}

/// Revokes key `id`; `false` when no such live key is visible.
pub async fn revoke(tx: &mut TenantTx, id: Uuid) -> Result<bool, AppError> {
    let done =
        sqlx::query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .execute(tx.conn())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// What authenticating with a key needs.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// SHA-256 of the full key.
    pub hash: Vec<u8>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// The user the key acts for.
    pub user_id: Uuid,
    /// That user's role.
    pub role: Role,
}

type KeyRow = (Vec<u8>, Vec<String>, Uuid, String);

/// The live key `id` whose creating user is still active.
pub async fn live(tx: &mut TenantTx, id: Uuid) -> Result<Option<KeyRecord>, AppError> {
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT k.key_hash, k.scopes, k.created_by, u.role
           FROM api_keys k JOIN users u ON u.creator_id = k.creator_id AND u.id = k.created_by
          WHERE k.id = $1 AND k.revoked_at IS NULL
            AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.status = 'active'",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.and_then(|(hash, scopes, user_id, role)| {
        Some(KeyRecord {
            hash,
            scopes,
            user_id,
            role: parse_role(&role)?,
        })
    }))
}

/// Records use, at most once a minute per key so hot keys do not write on every request.
pub async fn touch(tx: &mut TenantTx, id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}
