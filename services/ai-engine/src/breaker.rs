//! A circuit breaker for Ollama: after `threshold` failures in a row the engine stops calling
//! it for `cool_down` (answers degrade at once instead of waiting on a dead server), then lets
//! one call through as a probe; a success closes the breaker, a failure opens it again.
//! The gauge [`OPEN_GAUGE`] counts the process's breakers that are open or half-open (a service
//! has one engine, so 0 or 1), and [`BreakerCheck`] shows an open breaker in `/health`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use coachai_common::health::{Check, ProbeError};
use futures::future::BoxFuture;

/// The gauge of open (or half-open) breakers.
pub const OPEN_GAUGE: &str = "coachai_ollama_breaker_open";

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    probing: bool,
}

/// The breaker's state as `/health` and metrics show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until the cool-down ends.
    Open,
    /// One probe call is allowed.
    HalfOpen,
}

/// A thread-safe circuit breaker.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cool_down: Duration,
    state: Mutex<State>,
}

impl Breaker {
    /// Opens after `threshold` failures in a row, for `cool_down`.
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cool_down,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a call may be made now; in the half-open state only the first caller may.
    pub fn allow(&self) -> bool {
        let mut state = self.lock();
        match state.open_until {
            None => true,
            Some(until) if Instant::now() < until => false,
            Some(_) if state.probing => false,
            Some(_) => {
                state.probing = true;
                true
            }
        }
    }

    /// Records a successful call: the breaker closes.
    pub fn success(&self) {
        let mut state = self.lock();
        if state.open_until.is_some() {
            metrics::gauge!(OPEN_GAUGE).decrement(1.0);
        }
        *state = State::default();
    }

    /// Records a failed call: the breaker opens at the threshold, or again after a probe.
    pub fn failure(&self) {
        let mut state = self.lock();
        state.failures = state.failures.saturating_add(1);
        if state.probing || state.failures >= self.threshold {
            if state.open_until.is_none() {
                metrics::gauge!(OPEN_GAUGE).increment(1.0);
            }
            state.open_until = Some(Instant::now() + self.cool_down);
            state.probing = false;
        }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        let state = self.lock();
        match state.open_until {
            None => BreakerState::Closed,
            Some(until) if Instant::now() < until => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }
}

/// `/health`'s view of a breaker: down while it is open (the model is not being asked), up
/// when it is closed or lets a probe through.
pub struct BreakerCheck(pub Arc<Breaker>);

impl Check for BreakerCheck {
    fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>> {
        let state = self.0.state();
        Box::pin(async move {
            match state {
                BreakerState::Open => Err(ProbeError::BadAnswer(
                    "the chat model failed repeatedly; it is not asked until the cool-down ends"
                        .into(),
                )),
                BreakerState::Closed | BreakerState::HalfOpen => Ok(()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_opens_after_the_threshold_and_refuses_calls_until_the_cool_down_ends() {
        let breaker = Breaker::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            breaker.failure();
            assert!(breaker.allow());
        }
        breaker.failure();
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(!breaker.allow());
    }

    #[test]
    fn after_the_cool_down_one_probe_goes_through_and_its_success_closes_it() {
        let breaker = Breaker::new(1, Duration::from_millis(1));
        breaker.failure();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        assert!(breaker.allow(), "the probe");
        assert!(!breaker.allow(), "only one probe at a time");
        breaker.success();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert!(breaker.allow());
    }

    #[test]
    fn a_failed_probe_opens_it_again() {
        let breaker = Breaker::new(5, Duration::from_millis(200));
        for _ in 0..5 {
            breaker.failure();
        }
        std::thread::sleep(Duration::from_millis(250));
        assert!(breaker.allow(), "the probe");
        breaker.failure();
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(!breaker.allow());
    }
}
