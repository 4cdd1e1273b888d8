//! Minting credentials: EdDSA access tokens, and opaque secrets (refresh tokens, invitation
//! tokens, API keys) of which only the SHA-256 hash is ever stored.

use std::sync::Arc;
use std::time::Duration;

use coachai_common::AppError;
use coachai_common::auth::{AccessClaims, Role};
use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

use crate::keys::{KeyRing, LiveKeys};

/// Longest opaque token accepted in a request; anything longer cannot be ours.
pub const MAX_OPAQUE_LEN: usize = 128;

/// Signs access tokens with the key ring's active key.
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    keys: LiveKeys,
    issuer: String,
    audience: String,
    access_ttl: Duration,
}

/// A signed access token and its lifetime.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The compact JWT.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

impl TokenIssuer {
    /// An issuer for `iss`/`aud` whose tokens live `access_ttl`.
    pub fn new(keys: LiveKeys, issuer: &str, audience: &str, access_ttl: Duration) -> Self {
        Self {
            keys,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            access_ttl,
        }
    }

    /// The key ring in use (for the JWKS).
    pub fn keys(&self) -> Arc<KeyRing> {
        self.keys.current()
    }

    /// The claims of a new access token of `user`.
    pub fn claims(&self, user: Uuid, creator: CreatorId, role: Role) -> AccessClaims {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.access_ttl.as_secs()).unwrap_or(900);
        AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user,
            exp: now + ttl,
            iat: now,
            nbf: now,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role,
        }
    }

    /// Signs a new access token of `user`.
    pub fn access(
        &self,
        user: Uuid,
        creator: CreatorId,
        role: Role,
    ) -> Result<AccessToken, AppError> {
        let token = self
            .keys
            .current()
            .signer()
            .sign(&self.claims(user, creator, role))?;
        Ok(AccessToken {
            token,
            expires_in: self.access_ttl.as_secs(),
        })
    }
}

/// A fresh opaque secret: 256 random bits, URL-safe base64.
pub fn opaque_secret() -> String {
    coachai_common::secret::opaque()
}

/// The SHA-256 of a secret, the only form in which secrets are stored.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    coachai_common::secret::hash(secret)
}

/// Rejects values that cannot be one of our opaque tokens before they reach the database.
pub fn plausible_opaque(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_OPAQUE_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_url_safe_and_hash_to_32_bytes() {
        let (a, b) = (opaque_secret(), opaque_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(plausible_opaque(&a));
        assert_eq!(secret_hash(&a).len(), 32);
        assert!(!plausible_opaque("' OR 1=1 --"));
        assert!(!plausible_opaque(&"a".repeat(500)));
    }

    #[test]
    fn access_claims_carry_every_required_field() {
        let issuer = TokenIssuer::new(
            LiveKeys::new(KeyRing::ephemeral()),
            "https://iss",
            "aud",
            Duration::from_secs(900),
        );
        let claims = issuer.claims(Uuid::nil(), CreatorId(Uuid::nil()), Role::Coach);
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.nbf, claims.iat);
        assert_eq!(claims.iss, "https://iss");
        assert!(!claims.jti.is_empty());
    }
}
