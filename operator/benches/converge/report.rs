//! The figures of one run, printed as a table, and whether they meet the targets of issue 12
//! (all Ready within 120 s, operator RSS under 150 MiB, a resync pass writes nothing).

use std::fmt;

use crate::apiserver::Requests;

/// Seconds to all Ready the issue allows.
const READY_TARGET_SECS: f64 = 120.0;
/// Resident set the issue allows, MiB.
const RSS_TARGET_MIB: f64 = 150.0;
/// The resources the operator writes for a Creator.
pub const OPERATOR_RESOURCES: [&str; 3] = ["creators", "secrets", "events"];

/// One phase: how long, what the API server counted, what the operator reconciled.
#[derive(Debug, Default)]
pub struct Phase {
    /// Wall time.
    pub secs: f64,
    /// The operator's requests during it (counted by the front it talks through).
    pub requests: Requests,
    /// The API server's own count of writes to creators, secrets and events, from every client
    /// (the benchmark's creates and delete, and anything else sharing the cluster, included).
    pub server_writes: f64,
    /// Reconciles the operator ran during it.
    pub reconciles: f64,
    /// Failed reconciles since the operator started.
    pub errors: f64,
}

impl Phase {
    /// The operator's writes to creators, secrets and events.
    pub fn operator_writes(&self) -> f64 {
        self.requests.count(&OPERATOR_RESOURCES, true)
    }

    /// The operator's reads of creators, secrets and events.
    pub fn reads(&self) -> f64 {
        self.requests.count(&OPERATOR_RESOURCES, false)
    }
}

/// Everything one run measured.
#[derive(Debug, Default)]
pub struct Report {
    creators: usize,
    resync_secs: u64,
    /// Seconds the creates took (the API server's pace).
    pub create_secs: f64,
    /// Create → all Ready.
    pub converge: Phase,
    /// One resync pass over the unchanged Creators.
    pub resync: Phase,
    /// Delete → all gone.
    pub delete: Phase,
    /// Creator rows whose version changed during the resync pass.
    pub rows_changed: usize,
    /// Creator rows left after the delete.
    pub rows_left: usize,
    /// Mean reconcile duration during convergence, seconds.
    pub reconcile_mean: f64,
    /// Operator RSS, MiB: before the creates, peak while converging, peak while resyncing, after
    /// the resync, and the kernel's high-water mark at the end.
    pub rss_idle: f64,
    /// See [`Self::rss_idle`].
    pub rss_peak: f64,
    /// See [`Self::rss_idle`].
    pub rss_resync_peak: f64,
    /// See [`Self::rss_idle`].
    pub rss_rest: f64,
    /// See [`Self::rss_idle`].
    pub rss_hwm: f64,
}

impl Report {
    /// An empty report for `creators` Creators and a resync every `resync_secs`.
    pub fn new(creators: usize, resync_secs: u64) -> Self {
        Self {
            creators,
            resync_secs,
            ..Self::default()
        }
    }

    /// Writes the operator made during the resync pass.
    fn resync_writes(&self) -> f64 {
        self.resync.operator_writes()
    }

    /// `Ok` when every target is met, else what was missed.
    pub fn verdict(&self) -> anyhow::Result<()> {
        let mut missed = Vec::new();
        if self.converge.secs > READY_TARGET_SECS {
            missed.push(format!(
                "all Ready after {:.0} s (> 120 s)",
                self.converge.secs
            ));
        }
        if self.rss_hwm > RSS_TARGET_MIB {
            missed.push(format!("RSS {:.0} MiB (> 150 MiB)", self.rss_hwm));
        }
        if self.resync_writes() > 0.0 || self.rows_changed > 0 {
            missed.push(format!(
                "the resync wrote {} times and changed {} rows",
                self.resync_writes(),
                self.rows_changed
            ));
        }
        if self.rows_left > 0 {
            missed.push(format!(
                "{} creator rows left after the delete",
                self.rows_left
            ));
        }
        anyhow::ensure!(missed.is_empty(), "targets missed: {}", missed.join("; "));
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.creators as f64;
        writeln!(
            f,
            "\n{} Creators, resync every {} s ({})",
            self.creators,
            self.resync_secs,
            machine()
        )?;
        writeln!(
            f,
            "phase     seconds  reconciles  op writes  writes/Creator  reads/Creator  server writes"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, p: &Phase| {
            writeln!(
                f,
                "{name:<9} {:>7.1}  {:>10.0}  {:>9.0}  {:>14.2}  {:>13.2}  {:>13.0}",
                p.secs,
                p.reconciles,
                p.operator_writes(),
                p.operator_writes() / n,
                p.reads() / n,
                p.server_writes
            )
        };
        row(f, "converge", &self.converge)?;
        row(f, "resync", &self.resync)?;
        row(f, "delete", &self.delete)?;
        writeln!(
            f,
            "creates took {:.1} s; mean reconcile {:.3} s; failed reconciles {:.0}",
            self.create_secs, self.reconcile_mean, self.delete.errors
        )?;
        writeln!(
            f,
            "RSS MiB: idle {:.1}, converging peak {:.1}, resync peak {:.1}, at rest {:.1}, VmHWM {:.1}",
            self.rss_idle, self.rss_peak, self.rss_resync_peak, self.rss_rest, self.rss_hwm
        )?;
        writeln!(
            f,
            "targets: Ready {:.1} s / 120 s = {:.2}; RSS {:.1} / 150 MiB = {:.2}; resync writes {:.0}, rows changed {}; rows left after delete {}",
            self.converge.secs,
            self.converge.secs / READY_TARGET_SECS,
            self.rss_hwm,
            self.rss_hwm / RSS_TARGET_MIB,
            self.resync_writes(),
            self.rows_changed,
            self.rows_left
        )?;
        for (name, phase) in [
            ("converge", &self.converge),
            ("resync", &self.resync),
            ("delete", &self.delete),
        ] {
            writeln!(
                f,
                "the operator's requests, {name}:\n{}",
                phase.requests.table()
            )?;
        }
        Ok(())
    }
}

/// Cores and load average of this machine.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("{cores} cores, load average {}", load.join(" "))
}
