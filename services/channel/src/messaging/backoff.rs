//! When a failed delivery or inbound answer is tried again: exponential backoff with "equal
//! jitter" (half the delay fixed, half random), so delays never shrink from one attempt to the
//! next while replicas retrying together spread out. Written here because the schedule is
//! stored as a row's `next_run_at` rather than slept through in a loop (`backon`'s model).

use std::time::Duration;

/// The retry schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the second attempt (before jitter).
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
    /// Attempts before a delivery is dead.
    pub max_attempts: u32,
}

impl Backoff {
    /// The delay after failed attempt number `attempt` (1-based), `jitter` in `[0, 1]`:
    /// `min(max, d/2 + jitter * d/2)` with `d = base * 2^(attempt-1)` (capped after the jitter,
    /// so the delays never shrink, even at the maximum).
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        let full = self.base.saturating_mul(doubling);
        (full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0)) / 2).min(self.max)
    }

    /// [`Self::delay`] with a random jitter.
    pub fn next(&self, attempt: u32) -> Duration {
        self.delay(attempt, rand::random::<f64>())
    }

    /// Whether `attempts` failures exhaust the schedule.
    pub fn exhausted(&self, attempts: u32) -> bool {
        attempts >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: Backoff = Backoff {
        base: Duration::from_secs(2),
        max: Duration::from_secs(600),
        max_attempts: 8,
    };

    #[test]
    fn delays_double_between_half_and_all_of_the_step() {
        assert_eq!(SCHEDULE.delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(SCHEDULE.delay(1, 1.0), Duration::from_secs(2));
        assert_eq!(SCHEDULE.delay(4, 0.0), Duration::from_secs(8));
        assert_eq!(SCHEDULE.delay(4, 1.0), Duration::from_secs(16));
    }

    #[test]
    fn delays_never_shrink_whatever_the_jitter() {
        for attempt in 1..40 {
            assert!(SCHEDULE.delay(attempt + 1, 0.0) >= SCHEDULE.delay(attempt, 1.0));
        }
    }

    #[test]
    fn delays_stop_growing_at_the_maximum() {
        assert_eq!(SCHEDULE.delay(40, 1.0), Duration::from_secs(600));
        assert_eq!(SCHEDULE.delay(40, 0.0), Duration::from_secs(600));
        assert!(SCHEDULE.exhausted(8) && !SCHEDULE.exhausted(7));
    }
}
