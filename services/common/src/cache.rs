//! A tenant-prefixed Redis cache that prevents stampedes and degrades to no caching.
//!
//! Three defences keep one expensive miss from becoming a thousand. Inside a process, concurrent
//! misses for one key join a single flight whose outcome — the value or the failure — reaches
//! every caller of that wave (`cache/flight.rs`). Across processes, a Redis lock with a random
//! token per acquisition lets one process load while the others wait as long as the lock lives;
//! its holder renews the lock while loading and releases it on every exit — success, error,
//! panic or cancellation — so a dead holder costs at most `lock_ttl` and a failed one nothing
//! (`cache/lock.rs`). When the lock vanishes without a value, the waiters race for it once more
//! and one loads. Entries are refreshed early with probability rising towards expiry (XFetch,
//! Vattani et al. 2015) so hot keys rarely expire under load. When Redis is unreachable the
//! cache steps aside for a moment (a small circuit breaker) and every flight loads directly —
//! slower, never wrong.
//! The single-flight map is hand-written because moka's `get_with` would also retain the value
//! in-process, and cached values must come from Redis so that invalidation reaches every replica.

use std::fmt::Display;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use deadpool_redis::Pool;
use futures::FutureExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::tenancy::CreatorId;
use envelope::{Envelope, now_ms};

mod envelope;
mod flight;
mod load;
mod lock;
mod redis_ops;

/// Why a cached value could not be produced (the leader's own loader errors pass through
/// untouched; callers that waited for it receive [`CacheError::SharedLoadFailed`]).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The value could not be turned into JSON or back.
    #[error("cache value could not be (de)serialized: {0}")]
    Codec(String),
    /// The load this caller waited for, run by another caller of the same key, failed.
    #[error("the shared load failed: {0}")]
    SharedLoadFailed(String),
}

impl From<CacheError> for AppError {
    fn from(err: CacheError) -> Self {
        match err {
            // The leader reports the cause; its waiters learn only that retrying may help.
            CacheError::SharedLoadFailed(_) => {
                AppError::Unavailable("a concurrent load of this resource failed; retry".into())
            }
            CacheError::Codec(_) => AppError::internal(err),
        }
    }
}

/// Tuning of the cache; the defaults suit request-path caching.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Upper bound of any single Redis operation.
    pub op_timeout: Duration,
    /// How long a load lock outlives a dead holder; a live holder renews it every third of it.
    pub lock_ttl: Duration,
    /// The longest a process waits for another process's load, however long that process keeps
    /// its lock alive, before loading itself.
    pub max_wait: Duration,
    /// How long Redis is skipped after it failed.
    pub breaker: Duration,
    /// XFetch's beta: above 1 favours earlier refreshes.
    pub beta: f64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            op_timeout: Duration::from_millis(250),
            lock_ttl: Duration::from_secs(3),
            max_wait: Duration::from_secs(10),
            breaker: Duration::from_secs(1),
            beta: 1.0,
        }
    }
}

/// The Redis keys of one cache key: its value and its load lock, in disjoint namespaces.
struct Keys {
    value: String,
    lock: String,
}

impl Keys {
    fn new(creator: CreatorId, key: &str) -> Self {
        Self {
            value: Cache::tenant_key(creator, key),
            lock: format!("coachai:{creator}:lock:{key}"),
        }
    }
}

/// The cache; share it behind an `Arc`.
pub struct Cache {
    pool: Option<Pool>,
    options: CacheOptions,
    flights: flight::Flights,
    skip_until_ms: AtomicI64,
}

impl Cache {
    /// A cache on `redis_url`. Connections are made lazily, so a Redis that is down at start-up
    /// only means no caching until it returns.
    pub fn new(redis_url: &str, options: CacheOptions) -> Self {
        let pool = crate::redis_pool::bounded(redis_url, 32, options.op_timeout, "caching");
        Self {
            pool,
            options,
            flights: flight::Flights::default(),
            skip_until_ms: AtomicI64::new(0),
        }
    }

    /// The Redis key holding the value of `key` for `creator`: `coachai:{creator}:v:{key}`.
    /// Every cache key is prefixed with its tenant; load locks live under
    /// `coachai:{creator}:lock:{key}`, which no cache key can reach.
    pub fn tenant_key(creator: CreatorId, key: &str) -> String {
        format!("coachai:{creator}:v:{key}")
    }

    /// Returns the cached value of `key` for `creator`, or runs `load` once (however many
    /// callers miss at the same time, in this process or others) and caches its result for `ttl`.
    ///
    /// Concurrent callers in this process share one flight: its leader reads Redis and, on a
    /// miss, loads; the rest receive its value, or [`CacheError::SharedLoadFailed`] when its load
    /// failed or panicked (one failure per wave, never one retry per waiter). The leader gets its
    /// own error back, and its panic resumes once the lock is released and the waiters are told.
    /// A missing record is best returned as a value (`Ok(None)`), so that it too is shared.
    pub async fn get_or_load<T, E, F, Fut>(
        &self,
        creator: CreatorId,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        E: From<CacheError> + Display,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let keys = Keys::new(creator, key);
        loop {
            match self.flights.join(&keys.value) {
                flight::Role::Lead(leading) => {
                    let outcome = AssertUnwindSafe(self.lead(&keys, ttl, load))
                        .catch_unwind()
                        .await;
                    return decode(leading.finish(outcome)?);
                }
                // `None`: the leader was cancelled before it finished; the next wave starts.
                flight::Role::Follow(waiting) => match waiting.outcome().await {
                    Some(Ok(bytes)) => return decode(bytes),
                    Some(Err(failure)) => {
                        return Err(E::from(CacheError::SharedLoadFailed(failure.to_string())));
                    }
                    None => {}
                },
            }
        }
    }

    /// Drops `key` of `creator` so the next read loads it again.
    pub async fn invalidate(&self, creator: CreatorId, key: &str) {
        self.delete(&Self::tenant_key(creator, key)).await;
    }
}

fn encode(value: &serde_json::Value) -> Result<Arc<Vec<u8>>, CacheError> {
    serde_json::to_vec(value)
        .map(Arc::new)
        .map_err(|e| CacheError::Codec(e.to_string()))
}

fn decode<T: DeserializeOwned, E: From<CacheError>>(bytes: Arc<Vec<u8>>) -> Result<T, E> {
    serde_json::from_slice(&bytes).map_err(|e| E::from(CacheError::Codec(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_prefixed_with_the_tenant_and_locks_live_apart() {
        let creator = CreatorId(uuid::Uuid::nil());
        let nil = "00000000-0000-0000-0000-000000000000";
        assert_eq!(
            Cache::tenant_key(creator, "profile"),
            format!("coachai:{nil}:v:profile")
        );
        let keys = Keys::new(creator, "profile");
        assert_eq!(keys.lock, format!("coachai:{nil}:lock:profile"));
        let suffixed = Keys::new(creator, "profile:lock");
        assert_ne!(suffixed.value, keys.lock);
        assert!(!suffixed.value.starts_with(&format!("coachai:{nil}:lock:")));
    }

    #[test]
    fn waiters_of_a_failed_load_are_told_to_retry_without_the_leaders_cause() {
        let shared = CacheError::SharedLoadFailed("internal error: password=hunter2".into());
        let problem = AppError::from(shared).problem();
        assert_eq!(problem.status, 503);
        assert!(!problem.detail.contains("hunter2"), "{}", problem.detail);
    }
}
