//! The cross-process load lock: `SET NX PX` with a random token per acquisition, renewed by its
//! holder while it loads, and released on every exit path — awaited after a load, spawned from
//! `Drop` when the load is cancelled or panics.
//!
//! Renewal and release compare the token first (Lua), so a holder whose lock lapsed never
//! extends or deletes the lock a successor took. Without a Tokio runtime at drop time (runtime
//! shutting down) the release cannot run and the lock lapses after `lock_ttl`.

use std::sync::LazyLock;
use std::time::Duration;

use deadpool_redis::Pool;
use futures::future::Either;

use super::Cache;

/// Deletes the lock only if it is still ours.
static UNLOCK: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1]) else return 0 end",
    )
});

/// Extends the lock only if it is still ours.
static RENEW: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
    )
});

/// The outcome of trying to take a load lock.
pub(super) enum Lock {
    /// This caller holds the lock and should load.
    Acquired(LockGuard),
    /// Another holder is loading.
    Busy,
    /// Redis cannot coordinate; loading directly is the only way forward.
    Unavailable,
}

/// A held load lock; released when [`LockGuard::release`]d or dropped.
pub(super) struct LockGuard {
    pool: Pool,
    key: String,
    token: String,
    op_timeout: Duration,
    released: bool,
}

impl LockGuard {
    /// Releases the lock and waits until Redis has been told, so the next taker succeeds.
    /// Cancelled half-way, it leaves the release to `Drop`.
    pub(super) async fn release(mut self) {
        let (key, token) = (self.key.clone(), self.token.clone());
        unlock(self.pool.clone(), key, token, self.op_timeout).await;
        self.released = true;
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (key, token) = (
                std::mem::take(&mut self.key),
                std::mem::take(&mut self.token),
            );
            runtime.spawn(unlock(self.pool.clone(), key, token, self.op_timeout));
        }
    }
}

async fn unlock(pool: Pool, key: String, token: String, op_timeout: Duration) {
    let attempt = async {
        let mut conn = pool.get().await.ok()?;
        UNLOCK
            .key(&key)
            .arg(&token)
            .invoke_async::<i64>(&mut conn)
            .await
            .ok()
    };
    if let Err(_) | Ok(None) = tokio::time::timeout(op_timeout, attempt).await {
        not_released(&key);
    }
}

fn not_released(key: &str) {
    tracing::debug!(%key, "load lock not released; it lapses after its ttl");
}

fn lost(key: &str) {
    tracing::warn!(%key, "load lock lost while loading; finishing the load without it");
}

impl Cache {
    /// Tries to take the load lock `key` under a fresh random token.
    pub(super) async fn try_lock(&self, key: &str) -> Lock {
        let Some(pool) = &self.pool else {
            return Lock::Unavailable;
        };
        let token = uuid::Uuid::new_v4().simple().to_string();
        let ttl_ms = millis(self.options.lock_ttl);
        let (lock_key, value) = (key.to_owned(), token.clone());
        let reply: Option<Option<String>> = self
            .with_redis(|mut conn| async move {
                redis::cmd("SET")
                    .arg(&lock_key)
                    .arg(&value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .query_async(&mut conn)
                    .await
            })
            .await;
        match reply {
            None => Lock::Unavailable,
            Some(None) => Lock::Busy,
            Some(Some(_)) => Lock::Acquired(LockGuard {
                pool: pool.clone(),
                key: key.to_owned(),
                token,
                op_timeout: self.options.op_timeout,
                released: false,
            }),
        }
    }

    /// Runs `work` while renewing `guard` every third of `lock_ttl`, so a load of any length
    /// keeps its lock; should the lock be lost (taken over after a stall), the load finishes
    /// unprotected rather than being abandoned.
    pub(super) async fn renewing<Fut: Future>(&self, guard: &LockGuard, work: Fut) -> Fut::Output {
        let work = std::pin::pin!(work);
        let renewals = std::pin::pin!(self.renew_until_lost(guard));
        match futures::future::select(work, renewals).await {
            Either::Left((output, _)) => output,
            Either::Right(((), work)) => {
                lost(&guard.key);
                work.await
            }
        }
    }

    async fn renew_until_lost(&self, guard: &LockGuard) {
        let every = (self.options.lock_ttl / 3).max(Duration::from_millis(1));
        let ttl_ms = millis(self.options.lock_ttl);
        loop {
            tokio::time::sleep(every).await;
            let (key, token) = (guard.key.clone(), guard.token.clone());
            let renewed: Option<i64> = self
                .with_redis(|mut conn| async move {
                    RENEW
                        .key(&key)
                        .arg(&token)
                        .arg(ttl_ms)
                        .invoke_async(&mut conn)
                        .await
                })
                .await;
            // `None`: Redis is unreachable right now; keep trying while the load runs.
            if renewed == Some(0) {
                return;
            }
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CacheOptions;

    fn cache(lock_ttl: Duration) -> Cache {
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:63799".into());
        Cache::new(
            &url,
            CacheOptions {
                lock_ttl,
                ..CacheOptions::default()
            },
        )
    }

    async fn acquire(cache: &Cache, key: &str) -> LockGuard {
        match cache.try_lock(key).await {
            Lock::Acquired(guard) => guard,
            Lock::Busy => panic!("nobody else holds {key}"),
            Lock::Unavailable => {
                panic!("Redis must be running for this test; start the local stack: `make stack`")
            }
        }
    }

    #[tokio::test]
    async fn a_lapsed_holder_neither_renews_nor_releases_its_successors_lock() {
        let cache = cache(Duration::from_millis(150));
        let key = format!("coachai:test:lock:{}", uuid::Uuid::new_v4());
        let lapsed = acquire(&cache, &key).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let successor = acquire(&cache, &key).await;
        let renewals = cache.renew_until_lost(&lapsed);
        tokio::time::timeout(Duration::from_secs(2), renewals)
            .await
            .expect("a lapsed holder learns at its next renewal that the lock is not its own");
        lapsed.release().await;
        assert!(
            matches!(cache.try_lock(&key).await, Lock::Busy),
            "the successor, in the same process, must still hold the lock"
        );
        successor.release().await;
        assert!(matches!(cache.try_lock(&key).await, Lock::Acquired(_)));
    }
}
