//! A Redis sliding-window rate limiter for credential endpoints (login, refresh, sign-up, ...).
//!
//! Each key is a sorted set of attempt times; one Lua script drops the attempts older than the
//! window, counts the rest and records the new attempt only when it is allowed. Refused attempts
//! are not recorded, so hammering does not extend a lockout: it ends at most one window after
//! the last allowed attempt. When Redis is unreachable the limiter fails open (and says so in
//! the log): a Redis outage must not lock every user out.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use deadpool_redis::Pool;

use crate::error::AppError;

const SLIDING_WINDOW: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
    redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
";

/// At most `max` attempts in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: u32,
    /// The window's length.
    pub window: Duration,
}

impl Limit {
    /// `max` attempts per `secs` seconds.
    pub const fn per_secs(max: u32, secs: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(secs),
        }
    }
}

/// The rate-limit key part of a client address, the same for every route: an IPv4 address as
/// itself, an IPv6 address as its /64 network (a subscriber is usually given a whole /64, so
/// limits per IPv6 address would be sidestepped by changing the low bits), an IPv4-mapped IPv6
/// address as the IPv4 address, and `unknown` when there is no address.
pub fn client_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let network = Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX));
            format!("{network}/64")
        }
    }
}

/// Sliding-window limiter; share it behind an `Arc`.
pub struct RateLimiter {
    pool: Option<Pool>,
    script: redis::Script,
    op_timeout: Duration,
    last_warning_ms: AtomicI64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("enabled", &self.pool.is_some())
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter on `redis_url`; connections are made lazily.
    pub fn new(redis_url: &str) -> Self {
        let op_timeout = Duration::from_millis(250);
        let pool = crate::redis_pool::bounded(redis_url, 16, op_timeout, "rate limiting");
        Self {
            pool,
            script: redis::Script::new(SLIDING_WINDOW),
            op_timeout,
            last_warning_ms: AtomicI64::new(0),
        }
    }

    /// Records an attempt on `key`; `Some(wait)` when the attempt is refused.
    pub async fn hit(&self, key: &str, limit: Limit) -> Option<Duration> {
        let pool = self.pool.as_ref()?;
        let window_ms = u64::try_from(limit.window.as_millis()).unwrap_or(u64::MAX);
        let nonce: u64 = rand::random();
        let attempt = async {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            self.script
                .key(format!("coachai:rl:{key}"))
                .arg(window_ms)
                .arg(limit.max)
                .arg(nonce)
                .invoke_async::<u64>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        let outcome = match tokio::time::timeout(self.op_timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err("timed out".to_owned()),
        };
        match outcome {
            Ok(0) => None,
            Ok(wait_ms) => Some(Duration::from_millis(wait_ms)),
            Err(reason) => {
                self.fail_open(&reason);
                None
            }
        }
    }

    /// Records an attempt on each key; 429 with the longest wait when any refuses.
    pub async fn check(&self, hits: &[(&str, Limit)]) -> Result<(), AppError> {
        let mut longest: Option<Duration> = None;
        for (key, limit) in hits {
            if let Some(wait) = self.hit(key, *limit).await {
                longest = longest.max(Some(wait));
            }
        }
        match longest {
            None => Ok(()),
            Some(wait) => {
                metrics::counter!("rate_limited_total").increment(1);
                Err(AppError::TooManyRequests {
                    retry_after_secs: wait.as_millis().div_ceil(1000).max(1) as u64,
                })
            }
        }
    }

    fn fail_open(&self, reason: &str) {
        metrics::counter!("rate_limiter_errors_total").increment(1);
        let now = chrono::Utc::now().timestamp_millis();
        let last = self.last_warning_ms.load(Ordering::Relaxed);
        if now - last > 10_000 {
            self.last_warning_ms.store(now, Ordering::Relaxed);
            tracing::warn!(%reason, "redis unavailable; rate limits are not enforced");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The local stack's Redis, which must answer: a limiter that fails open would pass the
    /// test below without enforcing anything.
    async fn running_redis() -> String {
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:63799".into());
        let ping = async {
            let client = redis::Client::open(url.as_str())?;
            let mut conn = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        let answered = tokio::time::timeout(Duration::from_secs(5), ping).await;
        let failure = match answered {
            Ok(Ok(_)) => None,
            Ok(Err(err)) => Some(err.to_string()),
            Err(_) => Some("no answer within 5 s".to_owned()),
        };
        if let Some(failure) = failure {
            panic!(
                "Redis at {url} is not answering ({failure}); start the local stack: `make stack`"
            );
        }
        url
    }

    #[tokio::test]
    async fn attempts_over_the_limit_are_refused_with_a_wait() {
        let limiter = RateLimiter::new(&running_redis().await);
        let key = format!("test:{}", rand::random::<u64>());
        let limit = Limit::per_secs(3, 60);
        for _ in 0..3 {
            assert_eq!(limiter.hit(&key, limit).await, None);
        }
        let wait = limiter.hit(&key, limit).await;
        assert!(
            wait.is_some_and(|w| w <= Duration::from_secs(60) && w > Duration::ZERO),
            "the fourth attempt in a minute must be refused with a wait, got {wait:?}"
        );
        let err = limiter.check(&[(&key, limit)]).await.unwrap_err();
        assert!(
            matches!(err, AppError::TooManyRequests { retry_after_secs } if retry_after_secs <= 60)
        );
    }

    fn key(ip: &str) -> String {
        client_key(Some(ip.parse().unwrap()))
    }

    #[test]
    fn ipv4_clients_are_keyed_by_their_address() {
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_ne!(key("203.0.113.9"), key("203.0.113.10"));
        assert_eq!(client_key(None), "unknown");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:3::1"), "2001:db8:1:3::/64");
        assert_eq!(key("::1"), "::/64");
    }

    #[test]
    fn ipv4_mapped_ipv6_clients_are_keyed_as_ipv4() {
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
    }

    #[tokio::test]
    async fn an_unreachable_redis_fails_open() {
        let limiter = RateLimiter::new("redis://127.0.0.1:1");
        let limit = Limit::per_secs(1, 60);
        for _ in 0..3 {
            assert_eq!(limiter.hit("test:down", limit).await, None);
        }
    }
}
