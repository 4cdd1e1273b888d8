//! API keys of the current tenant.

use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::models::api_keys::{ApiKeyCreated, ApiKeyView};

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
