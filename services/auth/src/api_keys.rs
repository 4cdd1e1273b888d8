//! API keys: the `cak_<prefix>_<secret>` format and [`ApiKeyStore`], the
//! [`ApiKeyResolver`] through which the shared `Authenticator` accepts keys next to JWTs.
//!
//! The prefix (12 hex characters) is public and finds the key through a `SECURITY DEFINER`
//! look-up; the key's SHA-256 is then compared in constant time inside the tenant.

use coachai_common::AppError;
use coachai_common::auth::{API_KEY_PREFIX, ApiKeyResolver, Credential, Principal, Scope};
use coachai_common::tenancy::Db;
use futures::future::BoxFuture;
use subtle::ConstantTimeEq;

use crate::store::{api_keys, lookup};
use crate::tokens::{opaque_secret, plausible_opaque, secret_hash};

/// A freshly minted key: (public prefix, full key to show once).
pub fn mint() -> (String, String) {
    let prefix: String = rand::random::<[u8; 6]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let key = format!("{API_KEY_PREFIX}{prefix}_{}", opaque_secret());
    (prefix, key)
}

/// The prefix of a well-formed key.
pub fn parse(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let prefix_ok = prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit());
    (prefix_ok && plausible_opaque(secret)).then_some(prefix)
}

/// Resolves API keys against the database.
#[derive(Debug, Clone)]
pub struct ApiKeyStore {
    db: Db,
}

impl ApiKeyStore {
    /// A resolver on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn principal(&self, key: &str) -> Result<Principal, AppError> {
        let rejected = || AppError::Unauthorized("invalid, revoked or expired API key".into());
        let prefix = parse(key).ok_or_else(rejected)?;
        let (creator, key_id) = lookup::api_key(&self.db, prefix)
            .await?
            .ok_or_else(rejected)?;
        let mut tx = self.db.begin_for(creator).await?;
        let record = api_keys::live(&mut tx, key_id)
            .await?
            .ok_or_else(rejected)?;
        if !bool::from(secret_hash(key).ct_eq(&record.hash)) {
            return Err(rejected());
        }
        api_keys::touch(&mut tx, key_id).await?;
        tx.commit().await?;
        Ok(Principal {
            user_id: record.user_id,
            creator_id: creator,
            role: record.role,
            credential: Credential::ApiKey {
                key_id,
                scopes: known_scopes(&record.scopes),
            },
        })
    }
}

/// The scopes a key holds; names that are not (or no longer) scopes grant nothing.
fn known_scopes(names: &[String]) -> Vec<Scope> {
    names.iter().filter_map(|name| name.parse().ok()).collect()
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
    fn minted_keys_parse_back_to_their_prefix() {
        let (prefix, key) = mint();
        assert!(key.starts_with("cak_"));
        assert_eq!(parse(&key), Some(prefix.as_str()));
        assert_eq!(parse("cak_nothex______x_abc"), None);
        assert_eq!(parse("cak_0123456789ab_' OR 1=1"), None);
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
