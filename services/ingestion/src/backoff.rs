//! Retry delays: exponential backoff with "equal jitter", a pure function plus a policy.
//!
//! Equal jitter keeps half of the exponential delay and randomises the other half, so delays
//! still grow from one attempt to the next (useful to read in logs) while workers that failed
//! together do not retry together.

use std::time::Duration;

/// How long to wait before retry number `attempt` (1 = after the first failure): half of
/// `min(cap, base * 2^(attempt - 1))` plus `jitter` (clamped to `0.0..=1.0`) times the other half.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    let full = base.saturating_mul(factor).min(cap);
    let half = full / 2;
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    half + (full - half).mul_f64(jitter)
}

/// The base and cap of the retry delays of failed jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay scale of the first retry.
    pub base: Duration,
    /// No retry waits longer than this.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// Two seconds, doubling, at most ten minutes.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(600),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `attempt`, with fresh random jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        backoff(attempt, self.base, self.cap, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(100);
    const CAP: Duration = Duration::from_secs(10);

    #[test]
    fn delays_double_per_attempt_without_jitter() {
        let delays: Vec<_> = (1..=4).map(|a| backoff(a, BASE, CAP, 1.0)).collect();
        let millis: Vec<_> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [100, 200, 400, 800]);
    }

    #[test]
    fn jitter_randomises_only_the_upper_half() {
        assert_eq!(backoff(3, BASE, CAP, 0.0), Duration::from_millis(200));
        assert_eq!(backoff(3, BASE, CAP, 0.5), Duration::from_millis(300));
        assert_eq!(backoff(3, BASE, CAP, 7.0), Duration::from_millis(400));
        assert_eq!(backoff(3, BASE, CAP, f64::NAN), Duration::from_millis(200));
    }

    #[test]
    fn delays_stop_growing_at_the_cap() {
        assert_eq!(backoff(8, BASE, CAP, 1.0), CAP);
        assert_eq!(backoff(u32::MAX, BASE, CAP, 1.0), CAP);
        assert_eq!(backoff(u32::MAX, BASE, CAP, 0.0), CAP / 2);
    }

    #[test]
    fn attempt_zero_counts_as_the_first_retry() {
        assert_eq!(backoff(0, BASE, CAP, 1.0), BASE);
    }

    #[test]
    fn any_jitter_still_grows_from_one_attempt_to_the_next_below_the_cap() {
        let policy = RetryPolicy {
            base: BASE,
            cap: CAP,
        };
        for attempt in 1..7 {
            let (now, next) = (policy.delay(attempt), policy.delay(attempt + 1));
            assert!(now <= next, "attempt {attempt}: {now:?} then {next:?}");
        }
    }
}
