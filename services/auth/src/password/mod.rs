//! Passwords: Argon2id hashing with OWASP's parameters (m = 19 MiB, t = 2, p = 1), a
//! constant-cost failure path for unknown users, bounded concurrency, and the strength policy.
//!
//! Each hash costs tens of milliseconds of one core and 19 MiB, so concurrent hashing is
//! bounded by a semaphore sized to the cores: a burst of logins queues for at most
//! `queue_wait` and the excess is answered 503 with `Retry-After` at once, instead of piling
//! up blocking threads, memory and pooled connections. Callers hash and verify outside any
//! database transaction.

mod policy;

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use coachai_common::AppError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use policy::{MAX_LENGTH, MIN_LENGTH, check_strength};

/// How long a request waits for a free hashing slot before it is answered 503.
pub const DEFAULT_QUEUE_WAIT: Duration = Duration::from_millis(500);

/// Hashes and verifies passwords.
#[derive(Clone)]
pub struct Passwords {
    argon2: Argon2<'static>,
    /// A real hash of a random password: unknown users are verified against it so their
    /// failure costs as much as a wrong password.
    dummy: String,
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("params", self.argon2.params())
            .field("slots", &self.slots.available_permits())
            .finish_non_exhaustive()
    }
}

/// One slot per core: more concurrent hashes only make each one slower.
fn default_slots() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

impl Passwords {
    /// Argon2id with the given cost, one hashing slot per core.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self, AppError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(AppError::internal)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let random: [u8; 24] = rand::random();
        let dummy = hash_with(&argon2, &String::from_utf8_lossy(&random))?;
        Ok(Self {
            argon2,
            dummy,
            slots: Arc::new(Semaphore::new(default_slots())),
            queue_wait: DEFAULT_QUEUE_WAIT,
        })
    }

    /// The same hasher with `slots` concurrent hashes (0: one per core), each request waiting
    /// at most `queue_wait` for one.
    pub fn with_limits(mut self, slots: usize, queue_wait: Duration) -> Self {
        let slots = if slots == 0 { default_slots() } else { slots };
        self.slots = Arc::new(Semaphore::new(slots));
        self.queue_wait = queue_wait;
        self
    }

    /// A hashing slot, or 503 with `Retry-After` when none frees up within the queue wait.
    async fn slot(&self) -> Result<OwnedSemaphorePermit, AppError> {
        let acquire = self.slots.clone().acquire_owned();
        match tokio::time::timeout(self.queue_wait, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                metrics::counter!("password_hashing_refused_total").increment(1);
                Err(AppError::Overloaded {
                    retry_after_secs: 1,
                })
            }
        }
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let permit = self.slot().await?;
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            hash_with(&argon2, &password)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown user, no password
    /// set) the dummy hash is verified anyway and the answer is `false`. 503 when busy.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, AppError> {
        let permit = self.slot().await?;
        let argon2 = self.argon2.clone();
        let (phc, known) = match stored {
            Some(phc) => (phc, true),
            None => (self.dummy.clone(), false),
        };
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&phc)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        Ok(matched && known)
    }
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String, AppError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(AppError::internal)?;
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_do() {
        let passwords = Passwords::new(1024, 1, 1).unwrap();
        let phc = passwords.hash("a fine passphrase".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        let verify = |p: &str, s: Option<String>| passwords.verify(p.into(), s);
        assert!(
            verify("a fine passphrase", Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("another one", Some(phc)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
        assert!(!verify("x", Some("garbage".into())).await.unwrap());
    }

    #[tokio::test]
    async fn with_every_slot_taken_the_next_hash_is_refused_quickly_with_retry_after() {
        let passwords = Passwords::new(1024, 1, 1)
            .unwrap()
            .with_limits(1, Duration::from_millis(50));
        let held = passwords.slot().await.unwrap();
        let started = std::time::Instant::now();
        let refused = passwords
            .hash("a fine passphrase".into())
            .await
            .unwrap_err();
        assert!(matches!(
            refused,
            AppError::Overloaded {
                retry_after_secs: 1
            }
        ));
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(held);
        assert!(passwords.hash("a fine passphrase".into()).await.is_ok());
    }
}
