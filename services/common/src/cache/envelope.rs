//! What the cache stores in Redis — the value, how long it took to load, when it expires — and
//! XFetch's decision to refresh it early (Vattani et al. 2015).

use serde::{Deserialize, Serialize};

/// Milliseconds since the epoch: entries carry their expiry as wall-clock time.
pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// What is stored in Redis: the value, how long it took to compute, and when it expires.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Envelope {
    pub(super) v: serde_json::Value,
    /// Load time in milliseconds.
    pub(super) d: u64,
    /// Expiry, milliseconds since the epoch.
    pub(super) e: i64,
}

impl Envelope {
    /// XFetch: refresh when `now - delta * beta * ln(U(0,1]) >= expiry`.
    pub(super) fn refresh_early(&self, beta: f64, now_ms: i64) -> bool {
        let draw: f64 = 1.0 - rand::random::<f64>();
        let gap = (self.d as f64) * beta * -draw.ln();
        now_ms as f64 + gap >= self.e as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(d: u64, e: i64) -> Envelope {
        Envelope {
            v: serde_json::Value::Null,
            d,
            e,
        }
    }

    #[test]
    fn fresh_entries_are_not_refreshed_early() {
        assert!(!envelope(10, now_ms() + 3_600_000).refresh_early(1.0, now_ms()));
    }

    #[test]
    fn expired_entries_are_always_refreshed() {
        assert!(envelope(10, now_ms() - 1).refresh_early(1.0, now_ms()));
    }

    #[test]
    fn slow_loads_are_refreshed_earlier_than_fast_ones() {
        let now = now_ms();
        let refreshes = |d: u64| {
            let entry = envelope(d, now + 1_000);
            (0..2_000).filter(|_| entry.refresh_early(1.0, now)).count()
        };
        assert!(
            refreshes(2_000) > refreshes(10),
            "a 2 s load must refresh early more often"
        );
        assert_eq!(refreshes(0), 0);
    }
}
