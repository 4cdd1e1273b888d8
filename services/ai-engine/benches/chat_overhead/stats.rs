//! Percentiles of samples in milliseconds (nearest rank) and the rows of the printed tables.

use std::time::Duration;

/// Samples in milliseconds, sorted.
#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<f64>);

impl Samples {
    /// Adds `duration`.
    pub fn push(&mut self, duration: Duration) {
        self.push_ms(duration.as_secs_f64() * 1000.0);
    }

    /// Adds a value already in milliseconds (or any unit the caller prints).
    pub fn push_ms(&mut self, ms: f64) {
        self.0.push(ms);
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The nearest-rank `q` quantile (`q` in 0..=1); NaN with no sample.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = (q * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// The median.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// The quantiles every latency row shows.
pub const QUANTILES: [(f64, &str); 4] = [(0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (1.0, "max")];

/// The header of a latency table whose first column is `width` wide.
pub fn header(width: usize) -> String {
    let mut line = format!("{:width$}", "");
    for (_, name) in QUANTILES {
        line.push_str(&format!("{name:>9}"));
    }
    line
}

/// A row: `label` then each quantile of `samples` in milliseconds.
pub fn row(label: &str, width: usize, samples: &Samples) -> String {
    values(label, width, QUANTILES.map(|(q, _)| samples.quantile(q)))
}

/// A row of the per-quantile differences `a - b`.
pub fn difference(label: &str, width: usize, a: &Samples, b: &Samples) -> String {
    values(
        label,
        width,
        QUANTILES.map(|(q, _)| a.quantile(q) - b.quantile(q)),
    )
}

/// A row of the per-quantile ratios `a / b`.
pub fn ratio(label: &str, width: usize, a: &Samples, b: &Samples) -> String {
    let mut line = format!("{label:width$}");
    for (q, _) in QUANTILES {
        line.push_str(&format!("{:>8.2}×", a.quantile(q) / b.quantile(q)));
    }
    line
}

fn values(label: &str, width: usize, values: [f64; 4]) -> String {
    let mut line = format!("{label:width$}");
    for value in values {
        line.push_str(&format!("{value:>9.2}"));
    }
    line
}
