//! Remembers access tokens whose signature has already been verified, so a client's second
//! and later requests skip the Ed25519 check (the bulk of verification's cost).
//!
//! Only tokens that passed full verification are stored, keyed by the SHA-256 of the whole
//! token, so a forged or altered token can never match an entry and a flood of bad tokens
//! cannot fill the cache. Expiry and not-before are checked again on every hit. Entries live
//! at most [`MAX_AGE`] and remember the `kid` that verified them: the verifier serves a hit only
//! while that key is still in its set, so withdrawing a key stops its tokens at the next key
//! refresh, and a key-set refresh provoked by forged `kid`s does not empty the cache.

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
    cache: Cache<[u8; 32], Arc<(String, AccessClaims)>>,
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

    /// The `kid` and claims of a verified token that is still within its validity window.
    pub(super) fn get(&self, digest: &[u8; 32], leeway: i64) -> Option<(String, AccessClaims)> {
        let entry = self.cache.get(digest)?;
        let (kid, claims) = entry.as_ref();
        let now = chrono::Utc::now().timestamp();
        let valid =
            claims.exp >= now.saturating_sub(leeway) && claims.nbf <= now.saturating_add(leeway);
        if valid {
            Some((kid.clone(), claims.clone()))
        } else {
            self.cache.invalidate(digest);
            None
        }
    }

    /// Remembers that the key `kid` verified `claims`.
    pub(super) fn insert(&self, digest: [u8; 32], kid: String, claims: &AccessClaims) {
        self.cache.insert(digest, Arc::new((kid, claims.clone())));
    }

    /// Forgets one verification (its key was withdrawn).
    pub(super) fn forget(&self, digest: &[u8; 32]) {
        self.cache.invalidate(digest);
    }

    /// How many verifications are remembered (tests and metrics).
    pub(super) fn len(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}
