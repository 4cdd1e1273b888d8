//! The Redis side of [`super::Cache`]: every operation bounded by a timeout, failures counted
//! and answered by skipping Redis for a moment.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use deadpool_redis::Connection;

use super::{Cache, Envelope, Keys, now_ms};

impl Cache {
    /// Runs `op` on a pooled connection unless Redis is known to be down.
    pub(super) async fn with_redis<T, F, Fut>(&self, op: F) -> Option<T>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let pool = self.pool.as_ref()?;
        if now_ms() < self.skip_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let attempt = async {
            let conn = pool.get().await.map_err(|e| e.to_string())?;
            op(conn).await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.options.op_timeout, attempt).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(reason)) => self.trip(&reason),
            Err(_) => self.trip("timed out"),
        }
    }

    fn trip<T>(&self, reason: &str) -> Option<T> {
        metrics::counter!("cache_errors_total").increment(1);
        let breaker = i64::try_from(self.options.breaker.as_millis()).unwrap_or(1000);
        let previous = self
            .skip_until_ms
            .swap(now_ms() + breaker, Ordering::Relaxed);
        if previous < now_ms() {
            tracing::warn!(%reason, "redis unavailable; serving without cache");
        }
        None
    }

    pub(super) async fn read(&self, full: &str) -> Option<Envelope> {
        let key = full.to_owned();
        let raw: Option<Vec<u8>> = self
            .with_redis(|mut conn| async move {
                redis::cmd("GET").arg(&key).query_async(&mut conn).await
            })
            .await
            .flatten();
        // An unreadable entry (older format, corruption) is a miss, never an error.
        serde_json::from_slice(&raw?).ok()
    }

    pub(super) async fn write(
        &self,
        full: &str,
        value: serde_json::Value,
        took: Duration,
        ttl: Duration,
    ) {
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let envelope = Envelope {
            v: value,
            d: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            e: now_ms().saturating_add(i64::try_from(ttl_ms).unwrap_or(i64::MAX)),
        };
        let Ok(bytes) = serde_json::to_vec(&envelope) else {
            return;
        };
        let key = full.to_owned();
        let _: Option<()> = self
            .with_redis(|mut conn| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(bytes)
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async(&mut conn)
                    .await
            })
            .await;
    }

    pub(super) async fn delete(&self, full: &str) {
        let key = full.to_owned();
        let _: Option<()> = self
            .with_redis(|mut conn| async move {
                redis::cmd("DEL").arg(&key).query_async(&mut conn).await
            })
            .await;
    }

    /// Whether the lock of `keys` is held, then its value — in that order, so that "no lock,
    /// no value" means the holder released the lock without storing anything. `None` when
    /// Redis is unavailable.
    pub(super) async fn poll(&self, keys: &Keys) -> Option<(bool, Option<Envelope>)> {
        let (lock, value) = (keys.lock.clone(), keys.value.clone());
        let (held, raw): (bool, Option<Vec<u8>>) = self
            .with_redis(|mut conn| async move {
                redis::pipe()
                    .cmd("EXISTS")
                    .arg(&lock)
                    .cmd("GET")
                    .arg(&value)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Some((held, raw.and_then(|raw| serde_json::from_slice(&raw).ok())))
    }
}
