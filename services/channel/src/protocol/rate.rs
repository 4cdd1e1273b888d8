//! A connection's message rate: a token bucket refilled at [`MESSAGES_PER_SECOND`] up to
//! [`BURST`] messages, with the clock passed in so it is pure and testable; a refused message
//! gets a `rate_limited` error saying when to send again, and the connection keeps working.

use std::time::{Duration, Instant};

use super::error::ProtocolError;

/// Messages a connection may send per second, sustained.
pub const MESSAGES_PER_SECOND: f64 = 5.0;
/// Messages a connection may send at once after a quiet spell.
pub const BURST: u32 = 10;

/// The token bucket of one connection.
#[derive(Debug, Clone)]
pub struct MessageRate {
    per_second: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
}

impl MessageRate {
    /// A full bucket of `burst` messages (at least 1) refilled at `per_second` (at least one
    /// message an hour; a rate that is not a finite number counts as 1), as of `now`.
    pub fn new(per_second: f64, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        let per_second = if per_second.is_finite() {
            per_second.max(1.0 / 3600.0)
        } else {
            1.0
        };
        Self {
            per_second,
            burst,
            tokens: burst,
            updated: now,
        }
    }

    /// The default bucket: [`MESSAGES_PER_SECOND`], [`BURST`].
    pub fn standard(now: Instant) -> Self {
        Self::new(MESSAGES_PER_SECOND, BURST, now)
    }

    /// Takes one message's worth at `now`, or says how long until one is available. A `now`
    /// earlier than a previous call's counts as no time passed.
    pub fn try_take(&mut self, now: Instant) -> Result<(), ProtocolError> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - self.tokens) / self.per_second;
        let retry_after = Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_secs(3600));
        Err(ProtocolError::RateLimited {
            retry_after: ceil_to_millis(retry_after),
        })
    }

    /// Whole messages available at `now`, without taking any.
    pub fn available(&mut self, now: Instant) -> u32 {
        self.refill(now);
        // tokens is within 0..=burst, and burst came from a u32.
        self.tokens.floor() as u32
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated);
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.burst);
        self.updated = self.updated.max(now);
    }
}

/// `d` rounded up to a whole millisecond, so "send again in N ms" is never too early.
fn ceil_to_millis(d: Duration) -> Duration {
    let millis = d.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::server::ErrorCode;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn retry_after(result: Result<(), ProtocolError>) -> Duration {
        match result {
            Err(ProtocolError::RateLimited { retry_after }) => retry_after,
            other => panic!("expected rate_limited, got {other:?}"),
        }
    }

    #[test]
    fn a_quiet_connection_may_send_a_burst_of_ten_then_is_limited() {
        let start = Instant::now();
        let mut rate = MessageRate::standard(start);
        for n in 0..BURST {
            assert!(
                rate.try_take(start).is_ok(),
                "message {n} of the burst was refused"
            );
        }
        let refused = rate.try_take(start).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::RateLimited);
        assert_eq!(refused.close(), None);
    }

    #[test]
    fn a_limited_connection_is_told_to_wait_a_fifth_of_a_second() {
        let start = Instant::now();
        let mut rate = MessageRate::standard(start);
        (0..BURST).for_each(|_| rate.try_take(start).unwrap());
        assert_eq!(retry_after(rate.try_take(start)), ms(200));
        assert_eq!(retry_after(rate.try_take(start + ms(150))), ms(50));
    }

    #[test]
    fn five_messages_a_second_are_accepted_indefinitely() {
        let start = Instant::now();
        let mut rate = MessageRate::standard(start);
        (0..BURST).for_each(|_| rate.try_take(start).unwrap());
        for n in 1..=50 {
            assert!(
                rate.try_take(start + ms(200 * n)).is_ok(),
                "message at {}ms refused",
                200 * n
            );
        }
    }

    #[test]
    fn the_bucket_refills_to_the_burst_and_no_further() {
        let start = Instant::now();
        let mut rate = MessageRate::standard(start);
        (0..BURST).for_each(|_| rate.try_take(start).unwrap());
        assert_eq!(rate.available(start + ms(1_000)), 5);
        assert_eq!(rate.available(start + Duration::from_secs(3600)), BURST);
    }

    #[test]
    fn a_clock_that_goes_backwards_gives_no_extra_messages() {
        let start = Instant::now() + Duration::from_secs(10);
        let mut rate = MessageRate::new(1.0, 1, start);
        rate.try_take(start).unwrap();
        assert!(rate.try_take(start - Duration::from_secs(5)).is_err());
        assert!(rate.try_take(start + ms(999)).is_err());
        assert!(rate.try_take(start + ms(1_000)).is_ok());
    }

    #[test]
    fn a_nonsensical_configuration_still_lets_a_first_message_through() {
        let start = Instant::now();
        let mut rate = MessageRate::new(f64::NAN, 0, start);
        assert!(rate.try_take(start).is_ok());
        assert_eq!(retry_after(rate.try_take(start)), Duration::from_secs(1));
    }
}
