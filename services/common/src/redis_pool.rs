//! The one way the shared building blocks (cache, rate limiter, revocations) open Redis: a
//! lazily connecting pool whose every wait is bounded, so a slow or absent Redis costs at most
//! `op_timeout` per call (opening a new connection, rare, at most [`CONNECT_TIMEOUT`]) and never
//! blocks a request for long.

use std::time::Duration;

use deadpool_redis::{Pool, Runtime};

/// The longest wait for a new connection: a TCP and RESP handshake on a busy machine can take
/// longer than one command (a refused connection still fails at once).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// A pool of at most `max_size` connections to `redis_url`, each wait bounded by `op_timeout`;
/// `None` (logged, naming what is `disabled`) when the URL is not a Redis URL.
pub fn bounded(
    redis_url: &str,
    max_size: usize,
    op_timeout: Duration,
    disabled: &str,
) -> Option<Pool> {
    let pool = deadpool_redis::Config::from_url(redis_url)
        .builder()
        .map(|builder| {
            builder
                .max_size(max_size)
                .runtime(Runtime::Tokio1)
                .wait_timeout(Some(op_timeout))
                .create_timeout(Some(op_timeout.max(CONNECT_TIMEOUT)))
                .recycle_timeout(Some(op_timeout))
        })
        .ok()
        .and_then(|builder| builder.build().ok());
    if pool.is_none() {
        tracing::warn!("invalid Redis URL; {disabled} disabled");
    }
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_that_is_not_redis_gives_no_pool_and_no_panic() {
        let timeout = Duration::from_millis(10);
        assert!(bounded("http://example.com", 1, timeout, "testing").is_none());
        assert!(bounded("redis://127.0.0.1:1", 1, timeout, "testing").is_some());
    }
}
