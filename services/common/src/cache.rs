//! A tenant-prefixed Redis cache that prevents stampedes and degrades to no caching.
//!
//! Three defences keep one expensive miss from becoming a thousand: concurrent misses for one
//! key inside a process share a single load (single-flight); across processes a short Redis lock
//! (`SET NX PX`) lets one loader run while the others poll for its result; and entries are
//! refreshed early with probability rising towards expiry (XFetch, Vattani et al. 2015) so hot
//! keys rarely expire under load. When Redis is unreachable the cache steps aside for a moment
//! (a small circuit breaker) and every call loads directly — slower, never wrong.
//! The single-flight map is hand-written because moka's `get_with` would also retain the value
//! in-process, and cached values must come from Redis so that invalidation reaches every replica.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_redis::{Pool, Runtime};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use crate::error::AppError;
use crate::tenancy::CreatorId;

mod redis_ops;

/// Why a cached value could not be produced (the loader's own errors pass through untouched).
#[derive(Debug, thiserror::Error)]
#[error("cache value could not be (de)serialized: {0}")]
pub struct CacheError(String);

impl From<CacheError> for AppError {
    fn from(err: CacheError) -> Self {
        AppError::internal(err)
    }
}

/// Tuning of the cache; the defaults suit request-path caching.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Upper bound of any single Redis operation.
    pub op_timeout: Duration,
    /// How long a cross-process load lock lives if its holder dies.
    pub lock_ttl: Duration,
    /// How long a process waits for another process's load before loading itself.
    pub lock_wait: Duration,
    /// How long Redis is skipped after it failed.
    pub breaker: Duration,
    /// XFetch's beta: above 1 favours earlier refreshes.
    pub beta: f64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        Self {
            op_timeout: Duration::from_millis(250),
            lock_ttl: Duration::from_secs(5),
            lock_wait: Duration::from_secs(2),
            breaker: Duration::from_secs(1),
            beta: 1.0,
        }
    }
}

/// What is stored in Redis: the value, how long it took to compute, and when it expires.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    v: serde_json::Value,
    /// Load time in milliseconds.
    d: u64,
    /// Expiry, milliseconds since the epoch.
    e: i64,
}

impl Envelope {
    /// XFetch: refresh when `now - delta * beta * ln(U(0,1]) >= expiry`.
    fn refresh_early(&self, beta: f64, now_ms: i64) -> bool {
        let draw: f64 = 1.0 - rand::random::<f64>();
        let gap = (self.d as f64) * beta * -draw.ln();
        now_ms as f64 + gap >= self.e as f64
    }
}

type Flight = Arc<OnceCell<Arc<Vec<u8>>>>;

/// The cache; share it behind an `Arc`.
pub struct Cache {
    pool: Option<Pool>,
    options: CacheOptions,
    flights: Mutex<HashMap<String, Flight>>,
    skip_until_ms: AtomicI64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Cache {
    /// A cache on `redis_url`. Connections are made lazily, so a Redis that is down at start-up
    /// only means no caching until it returns.
    pub fn new(redis_url: &str, options: CacheOptions) -> Self {
        let pool = deadpool_redis::Config::from_url(redis_url)
            .builder()
            .map(|builder| {
                builder
                    .max_size(32)
                    .runtime(Runtime::Tokio1)
                    .wait_timeout(Some(options.op_timeout))
                    .create_timeout(Some(options.op_timeout))
                    .recycle_timeout(Some(options.op_timeout))
            })
            .ok()
            .and_then(|builder| builder.build().ok());
        if pool.is_none() {
            tracing::warn!("invalid Redis URL; caching disabled");
        }
        Self {
            pool,
            options,
            flights: Mutex::new(HashMap::new()),
            skip_until_ms: AtomicI64::new(0),
        }
    }

    /// The Redis key of `key` for `creator`: every cache key is prefixed with its tenant.
    pub fn tenant_key(creator: CreatorId, key: &str) -> String {
        format!("coachai:{creator}:{key}")
    }

    /// Returns the cached value of `key` for `creator`, or runs `load` once (however many
    /// callers miss at the same time) and caches its result for `ttl`.
    ///
    /// Concurrent callers in this process share one flight: one Redis read and, on a miss,
    /// one load; the rest wait for its result.
    pub async fn get_or_load<T, E, F, Fut>(
        &self,
        creator: CreatorId,
        key: &str,
        ttl: Duration,
        load: F,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        E: From<CacheError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let full = Self::tenant_key(creator, key);
        let cell = self.join_flight(&full);
        let outcome = cell
            .get_or_try_init(|| self.lead(&full, ttl, load))
            .await
            .cloned();
        self.leave_flight(&full, &cell);
        serde_json::from_slice(&outcome?).map_err(|e| E::from(CacheError(e.to_string())))
    }

    /// Drops `key` of `creator` so the next read loads it again.
    pub async fn invalidate(&self, creator: CreatorId, key: &str) {
        self.delete(&Self::tenant_key(creator, key)).await;
    }

    /// The leader of a flight: serves a fresh hit; otherwise waits for another process's load
    /// when one holds the lock, or loads, stores and releases.
    async fn lead<T, E, F, Fut>(
        &self,
        full: &str,
        ttl: Duration,
        load: F,
    ) -> Result<Arc<Vec<u8>>, E>
    where
        T: Serialize,
        E: From<CacheError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let cached = self.read(full).await;
        let locked = match &cached {
            Some(envelope) if !envelope.refresh_early(self.options.beta, now_ms()) => false,
            _ => self.try_lock(full).await,
        };
        if let (Some(envelope), false) = (&cached, locked) {
            metrics::counter!("cache_hits_total").increment(1);
            return encode(&envelope.v).map_err(E::from);
        }
        metrics::counter!("cache_misses_total").increment(1);
        if !locked && let Some(envelope) = self.wait_for(full).await {
            return encode(&envelope.v).map_err(E::from);
        }
        let started = Instant::now();
        metrics::counter!("cache_loads_total").increment(1);
        let value = load().await?;
        let value = serde_json::to_value(&value).map_err(|e| CacheError(e.to_string()))?;
        let bytes = encode(&value)?;
        self.write(full, value, started.elapsed(), ttl).await;
        if locked {
            self.unlock(full).await;
        }
        Ok(bytes)
    }

    fn join_flight(&self, full: &str) -> Flight {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        flights.entry(full.to_owned()).or_default().clone()
    }

    fn leave_flight(&self, full: &str, cell: &Flight) {
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        if flights
            .get(full)
            .is_some_and(|current| Arc::ptr_eq(current, cell))
        {
            flights.remove(full);
        }
    }
}

fn encode(value: &serde_json::Value) -> Result<Arc<Vec<u8>>, CacheError> {
    serde_json::to_vec(value)
        .map(Arc::new)
        .map_err(|e| CacheError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_entries_are_not_refreshed_early() {
        let envelope = Envelope {
            v: serde_json::Value::Null,
            d: 10,
            e: now_ms() + 3_600_000,
        };
        assert!(!envelope.refresh_early(1.0, now_ms()));
    }

    #[test]
    fn expired_entries_are_always_refreshed() {
        let envelope = Envelope {
            v: serde_json::Value::Null,
            d: 10,
            e: now_ms() - 1,
        };
        assert!(envelope.refresh_early(1.0, now_ms()));
    }

    #[test]
    fn slow_loads_are_refreshed_earlier_than_fast_ones() {
        let now = now_ms();
        let refreshes = |d: u64| {
            let envelope = Envelope {
                v: serde_json::Value::Null,
                d,
                e: now + 1_000,
            };
            (0..2_000)
                .filter(|_| envelope.refresh_early(1.0, now))
                .count()
        };
        assert!(
            refreshes(2_000) > refreshes(10),
            "a 2 s load must refresh early more often"
        );
        assert_eq!(refreshes(0), 0);
    }

    #[test]
    fn keys_are_prefixed_with_the_tenant() {
        let creator = CreatorId(uuid::Uuid::nil());
        let key = Cache::tenant_key(creator, "profile");
        assert_eq!(key, "coachai:00000000-0000-0000-0000-000000000000:profile");
    }
}
