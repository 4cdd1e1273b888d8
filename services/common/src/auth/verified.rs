//! Remembers access tokens whose signature has already been verified, so a client's second
//! and later requests skip the Ed25519 check (the bulk of verification's cost).
//!
//! Only tokens that passed full verification are stored, keyed by the SHA-256 of the whole
//! token, so a forged or altered token can never match an entry and a flood of bad tokens
//! cannot fill the cache. Expiry and not-before are checked again on every hit. Entries live
//! at most [`MAX_AGE`], and all are dropped whenever the verifier's key set changes, so
//! withdrawing a key stops its tokens within a minute at the latest.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use sha2::{Digest, Sha256};

use super::jwt::AccessClaims;

/// Longest time a verification is reused.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// How many verified tokens are remembered at most.
const CAPACITY: u64 = 100_000;

/// Verified tokens by the SHA-256 of their text.
pub(super) struct VerifiedTokens {
    cache: Cache<[u8; 32], Arc<AccessClaims>>,
}

impl VerifiedTokens {
    pub(super) fn new() -> Self {
        let cache = Cache::builder()
            .max_capacity(CAPACITY)
            .time_to_live(MAX_AGE)
            .build();
        Self { cache }
    }

    pub(super) fn digest(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The claims of a verified token that is still within its validity window.
    pub(super) fn get(&self, digest: &[u8; 32], leeway: i64) -> Option<AccessClaims> {
        let claims = self.cache.get(digest)?;
        let now = chrono::Utc::now().timestamp();
        let valid =
            claims.exp >= now.saturating_sub(leeway) && claims.nbf <= now.saturating_add(leeway);
        if valid {
            Some(claims.as_ref().clone())
        } else {
            self.cache.invalidate(digest);
            None
        }
    }

    pub(super) fn insert(&self, digest: [u8; 32], claims: &AccessClaims) {
        self.cache.insert(digest, Arc::new(claims.clone()));
    }

    /// Forgets every verification (the key set changed).
    pub(super) fn clear(&self) {
        self.cache.invalidate_all();
    }
}
