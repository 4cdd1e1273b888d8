//! API keys (`cak_<prefix>_<secret>`) resolved the same way by every service, so the scopes a
//! route declares mean the same everywhere.
//!
//! The prefix (12 hex characters) is public and finds the key through the `SECURITY DEFINER`
//! look-up `app_api_key_lookup`, which returns ids only; the key's SHA-256 is then compared in
//! constant time inside the key's tenant, where the key must be live and its user active.

use futures::future::BoxFuture;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{API_KEY_PREFIX, ApiKeyResolver, Credential, Principal, Role, Scope};
use crate::error::AppError;
use crate::tenancy::{CreatorId, Db, TenantTx};

/// Longest key secret accepted; anything longer cannot be ours.
const MAX_SECRET_LEN: usize = 128;

/// The public prefix of a well-formed key, `None` for anything else.
pub fn parse(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let prefix_ok = prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit());
    let secret_ok = !secret.is_empty()
        && secret.len() <= MAX_SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    (prefix_ok && secret_ok).then_some(prefix)
}

/// The SHA-256 of a whole key, the only form in which keys are stored.
pub fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// The scopes a key holds; names that are not (or no longer) scopes grant nothing.
pub fn known_scopes(names: &[String]) -> Vec<Scope> {
    names.iter().filter_map(|name| name.parse().ok()).collect()
}

/// Resolves API keys against the database; give it to [`super::Authenticator::with_api_keys`].
#[derive(Debug, Clone)]
pub struct ApiKeyStore {
    db: Db,
}

type KeyRow = (Vec<u8>, Vec<String>, Uuid, String);

fn rejected() -> AppError {
    AppError::Unauthorized("invalid, revoked or expired API key".into())
}

impl ApiKeyStore {
    /// A resolver on `db` (connected as `coachai_app`).
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn principal(&self, key: &str) -> Result<Principal, AppError> {
        let prefix = parse(key).ok_or_else(rejected)?;
        let found: Option<(Uuid, Uuid)> =
            sqlx::query_as("SELECT creator_id, key_id FROM app_api_key_lookup($1)")
                .bind(prefix)
                .fetch_optional(self.db.preauth())
                .await?;
        let (creator, key_id) = found.ok_or_else(rejected)?;
        let creator = CreatorId(creator);
        let mut tx = self.db.begin_for(creator).await?;
        let (hash, scopes, user_id, role) = live(&mut tx, key_id).await?.ok_or_else(rejected)?;
        if !bool::from(key_hash(key).ct_eq(&hash)) {
            return Err(rejected());
        }
        touch(&mut tx, key_id).await?;
        tx.commit().await?;
        Ok(Principal {
            user_id,
            creator_id: creator,
            role,
            credential: Credential::ApiKey {
                key_id,
                scopes: known_scopes(&scopes),
            },
        })
    }
}

/// The live key `id` whose creating user is still active: hash, scopes, user, role.
async fn live(
    tx: &mut TenantTx,
    id: Uuid,
) -> Result<Option<(Vec<u8>, Vec<String>, Uuid, Role)>, AppError> {
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT k.key_hash, k.scopes, k.created_by, u.role
           FROM api_keys k JOIN users u ON u.creator_id = k.creator_id AND u.id = k.created_by
          WHERE k.id = $1 AND k.revoked_at IS NULL
            AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.status = 'active'",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.and_then(|(hash, scopes, user, role)| {
        let role = Role::from_name(&role)?;
        Some((hash, scopes, user, role))
    }))
}

/// Records use, at most once a minute per key so hot keys do not write on every request.
async fn touch(tx: &mut TenantTx, id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

impl ApiKeyResolver for ApiKeyStore {
    fn resolve<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Principal, AppError>> {
        Box::pin(self.principal(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_keys_parse_to_their_prefix() {
        assert_eq!(
            parse("cak_0123456789ab_secretSECRET-_"),
            Some("0123456789ab")
        );
        assert_eq!(parse("cak_nothex______x_abc"), None);
        assert_eq!(parse("cak_0123456789ab_' OR 1=1"), None);
        assert_eq!(parse("cak_0123456789ab_"), None);
        assert_eq!(parse("eyJhbGciOi"), None);
    }

    #[test]
    fn unknown_scope_names_grant_nothing() {
        let names = [
            "chat".to_owned(),
            "everything".to_owned(),
            "admin".to_owned(),
        ];
        assert_eq!(known_scopes(&names), vec![Scope::Chat, Scope::Admin]);
    }
}
