//! A circuit breaker per destination (integration), in this process: after
//! [`FAILURE_THRESHOLD`] consecutive failed deliveries the destination is left alone for a
//! cool-down, and its due rows wait without spending attempts; one success closes it again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Consecutive failures that open the breaker.
pub const FAILURE_THRESHOLD: u32 = 5;

#[derive(Debug, Default, Clone, Copy)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
}

/// The breakers of every destination.
#[derive(Debug)]
pub struct Breakers {
    cooldown: Duration,
    states: Mutex<HashMap<Uuid, State>>,
}

impl Breakers {
    /// Breakers that stay open for `cooldown`.
    pub fn new(cooldown: Duration) -> Self {
        Self {
            cooldown,
            states: Mutex::new(HashMap::new()),
        }
    }

    /// How long `destination` must still be left alone at `now`; `None` when it may be tried.
    pub fn open_for(&self, destination: Uuid, now: Instant) -> Option<Duration> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let until = states.get(&destination)?.open_until?;
        (until > now).then(|| until - now)
    }

    /// Records the outcome of one delivery to `destination` at `now`.
    pub fn record(&self, destination: Uuid, ok: bool, now: Instant) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        if ok {
            states.remove(&destination);
            return;
        }
        let state = states.entry(destination).or_default();
        state.failures += 1;
        if state.failures >= FAILURE_THRESHOLD {
            state.open_until = Some(now + self.cooldown);
            state.failures = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_failures_open_the_breaker_for_the_cooldown() {
        let breakers = Breakers::new(Duration::from_secs(30));
        let (dest, now) = (Uuid::new_v4(), Instant::now());
        for _ in 0..FAILURE_THRESHOLD - 1 {
            breakers.record(dest, false, now);
        }
        assert_eq!(breakers.open_for(dest, now), None);
        breakers.record(dest, false, now);
        assert_eq!(breakers.open_for(dest, now), Some(Duration::from_secs(30)));
        assert_eq!(breakers.open_for(dest, now + Duration::from_secs(31)), None);
        assert_eq!(breakers.open_for(Uuid::new_v4(), now), None);
    }

    #[test]
    fn a_success_resets_the_count() {
        let breakers = Breakers::new(Duration::from_secs(30));
        let (dest, now) = (Uuid::new_v4(), Instant::now());
        for _ in 0..FAILURE_THRESHOLD - 1 {
            breakers.record(dest, false, now);
        }
        breakers.record(dest, true, now);
        breakers.record(dest, false, now);
        assert_eq!(breakers.open_for(dest, now), None);
    }
}
