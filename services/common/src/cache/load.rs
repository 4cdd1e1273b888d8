//! The leader of a flight across processes: serve a fresh hit, otherwise load under the Redis
//! lock, or wait while another process holds it — for as long as the lock lives, up to
//! `max_wait` — and race once more for the lock when it vanishes without a value.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::lock::{Lock, LockGuard};
use super::{Cache, CacheError, Envelope, Keys, encode, now_ms};

/// How often a waiting process looks at the lock and the value.
const POLL: Duration = Duration::from_millis(25);

/// Where the leader's value comes from.
enum Source {
    /// Redis has it (cached, stale while another process refreshes, or just loaded elsewhere).
    Hit(Envelope),
    /// This process loads, holding the lock when Redis can coordinate.
    Load(Option<LockGuard>),
}

/// How a wait for another process's load ended.
enum Waited {
    Value(Envelope),
    /// The lock vanished and no value appeared: its holder failed, was cancelled or died.
    LockGone,
    /// `max_wait` passed, or Redis became unreachable.
    GaveUp,
}

impl Cache {
    /// Produces the encoded value of `keys` for this process's flight.
    pub(super) async fn lead<T, E, F, Fut>(
        &self,
        keys: &Keys,
        ttl: Duration,
        load: F,
    ) -> Result<Arc<Vec<u8>>, E>
    where
        T: Serialize,
        E: From<CacheError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        match self.settle(keys).await {
            Source::Hit(envelope) => encode(&envelope.v).map_err(E::from),
            Source::Load(guard) => self.load_and_store(keys, guard, ttl, load).await,
        }
    }

    async fn settle(&self, keys: &Keys) -> Source {
        let Some(cached) = self.read(&keys.value).await else {
            metrics::counter!("cache_misses_total").increment(1);
            return self.await_turn(keys).await;
        };
        if cached.refresh_early(self.options.beta, now_ms()) {
            return self.refresh(keys, cached).await;
        }
        metrics::counter!("cache_hits_total").increment(1);
        Source::Hit(cached)
    }

    /// An early refresh: whoever takes the lock reloads; everyone else keeps serving `stale`.
    async fn refresh(&self, keys: &Keys, stale: Envelope) -> Source {
        match self.try_lock(&keys.lock).await {
            Lock::Acquired(guard) => Source::Load(Some(guard)),
            Lock::Unavailable => Source::Load(None),
            Lock::Busy => {
                metrics::counter!("cache_hits_total").increment(1);
                Source::Hit(stale)
            }
        }
    }

    /// A miss: take the lock, or wait for its holder and try again when it vanishes empty.
    async fn await_turn(&self, keys: &Keys) -> Source {
        let deadline = Instant::now() + self.options.max_wait;
        loop {
            match self.try_lock(&keys.lock).await {
                Lock::Acquired(guard) => return self.recheck(keys, guard).await,
                Lock::Unavailable => return Source::Load(None),
                Lock::Busy => {}
            }
            match self.wait_for(keys, deadline).await {
                Waited::Value(envelope) => return Source::Hit(envelope),
                Waited::LockGone => {}
                Waited::GaveUp => return Source::Load(None),
            }
        }
    }

    /// Another process may have stored the value between our miss and our lock.
    async fn recheck(&self, keys: &Keys, guard: LockGuard) -> Source {
        match self.read(&keys.value).await {
            Some(envelope) => {
                guard.release().await;
                Source::Hit(envelope)
            }
            None => Source::Load(Some(guard)),
        }
    }

    /// Polls until the value appears or the lock vanishes, up to `deadline`.
    async fn wait_for(&self, keys: &Keys, deadline: Instant) -> Waited {
        while Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
            match self.poll(keys).await {
                None => return Waited::GaveUp,
                Some((_, Some(envelope))) => return Waited::Value(envelope),
                Some((false, None)) => return Waited::LockGone,
                Some((true, None)) => {}
            }
        }
        Waited::GaveUp
    }

    /// Loads (renewing the lock if held), stores the value, then releases the lock — storing
    /// first, so waiters that see the lock gone also see the value. A failed load releases the
    /// lock too; cancellation and panics release it through the guard's `Drop`.
    async fn load_and_store<T, E, F, Fut>(
        &self,
        keys: &Keys,
        guard: Option<LockGuard>,
        ttl: Duration,
        load: F,
    ) -> Result<Arc<Vec<u8>>, E>
    where
        T: Serialize,
        E: From<CacheError>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        metrics::counter!("cache_loads_total").increment(1);
        let started = Instant::now();
        let loaded = match &guard {
            Some(held) => self.renewing(held, load()).await,
            None => load().await,
        };
        let stored = match loaded {
            Ok(value) => self.store(keys, &value, started.elapsed(), ttl).await,
            Err(err) => Err(err),
        };
        if let Some(held) = guard {
            held.release().await;
        }
        stored
    }

    async fn store<T: Serialize, E: From<CacheError>>(
        &self,
        keys: &Keys,
        value: &T,
        took: Duration,
        ttl: Duration,
    ) -> Result<Arc<Vec<u8>>, E> {
        let value = serde_json::to_value(value).map_err(|e| CacheError::Codec(e.to_string()))?;
        let bytes = encode(&value)?;
        self.write(&keys.value, value, took, ttl).await;
        Ok(bytes)
    }
}
