//! What the benchmark runs against: an Ollama double that has the Creators' models (so no pull
//! happens) and the operator's release binary as its own process, watched for memory.

use std::net::TcpListener;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use coachai_ollama_double::{Config as DoubleConfig, Model, OllamaDouble};
use tokio::process::{Child, Command};

/// The models every benchmark Creator names (the double has both).
pub const CHAT: &str = "smollm2:135m";
/// See [`CHAT`].
pub const EMBEDDING: &str = "all-minilm:latest";

/// An Ollama double with [`CHAT`] and [`EMBEDDING`].
pub async fn ollama() -> anyhow::Result<OllamaDouble> {
    Ok(OllamaDouble::start(DoubleConfig {
        models: vec![Model::completion(CHAT), Model::embedding(EMBEDDING)],
        ..DoubleConfig::default()
    })
    .await?)
}

/// The operator process, its metrics address and its memory as sampled every 100 ms.
pub struct Operator {
    child: Child,
    /// `http://127.0.0.1:<port>/metrics`.
    pub metrics_url: String,
    memory: Arc<Memory>,
}

/// Resident set sizes of the operator, in KiB.
#[derive(Default)]
struct Memory {
    peak: AtomicU64,
    stop: AtomicBool,
}

impl Operator {
    /// Starts `coachai-operator run` (built by `cargo bench` in the bench profile) against
    /// `kubeconfig` and the dev stack, with Ollama at `ollama_url`, watching only `namespace`
    /// (its Lease there too) and a resync every `resync_secs`.
    pub async fn start(
        kubeconfig: &std::path::Path,
        ollama_url: &str,
        namespace: &str,
        resync_secs: u64,
    ) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(env!("CARGO_BIN_EXE_coachai-operator"))
            .arg("run")
            .env("KUBECONFIG", kubeconfig)
            // The operator's own role (scripts/env.sh), which may call the provisioning functions.
            .env(
                "DATABASE_URL",
                std::env::var("PROVISIONER_DATABASE_URL").unwrap_or_default(),
            )
            .env("OLLAMA_URL", ollama_url)
            .env("WATCH_NAMESPACE", namespace)
            .env("OPERATOR_PORT", port.to_string())
            .env("LEASE_NAMESPACE", namespace)
            .env("LEASE_NAME", "coachai-operator-bench")
            .env("RESYNC_SECS", resync_secs.to_string())
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log_path())?)
            .kill_on_drop(true)
            .spawn()
            .context("starting the operator binary")?;
        let memory = Arc::new(Memory::default());
        let pid = child.id().context("the operator exited at once")?;
        tokio::spawn(sample(pid, memory.clone()));
        let operator = Self {
            child,
            metrics_url: format!("http://127.0.0.1:{port}/metrics"),
            memory,
        };
        operator.until_leading().await?;
        Ok(operator)
    }

    /// Waits until `/readyz` answers and the process has had time to take the Lease.
    async fn until_leading(&self) -> anyhow::Result<()> {
        let readyz = self.metrics_url.replace("/metrics", "/readyz");
        for _ in 0..300 {
            if reqwest::get(&readyz)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!(
            "the operator never answered {readyz}; see {}",
            log_path().display()
        )
    }

    /// The highest resident set seen since the last [`Self::reset_peak`], in MiB.
    pub fn peak_mib(&self) -> f64 {
        self.memory.peak.load(Ordering::Relaxed) as f64 / 1024.0
    }

    /// Starts a new peak from the current resident set.
    pub fn reset_peak(&self) {
        self.memory.peak.store(0, Ordering::Relaxed);
    }

    /// The resident set now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.child
            .id()
            .and_then(|pid| status_kib(pid, "VmRSS:"))
            .map_or(0.0, |kib| kib as f64 / 1024.0)
    }

    /// The kernel's high-water mark of the resident set (`VmHWM`), in MiB.
    pub fn hwm_mib(&self) -> f64 {
        self.child
            .id()
            .and_then(|pid| status_kib(pid, "VmHWM:"))
            .map_or(0.0, |kib| kib as f64 / 1024.0)
    }

    /// The mean duration of the operator's reconciles so far, in seconds.
    pub async fn mean_reconcile_secs(&self) -> anyhow::Result<f64> {
        let metric = |name| crate::apiserver::operator_counter(&self.metrics_url, name, "");
        let sum = metric("coachai_operator_reconcile_seconds_sum").await?;
        Ok(sum
            / metric("coachai_operator_reconcile_seconds_count")
                .await?
                .max(1.0))
    }

    /// Stops the operator (SIGKILL; it holds nothing that needs a clean stop for the bench).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.memory.stop.store(true, Ordering::Relaxed);
        self.child.kill().await?;
        Ok(())
    }
}

/// Where the operator's log goes.
pub fn log_path() -> std::path::PathBuf {
    std::env::temp_dir().join("coachai-operator-converge.log")
}

async fn sample(pid: u32, memory: Arc<Memory>) {
    while !memory.stop.load(Ordering::Relaxed) {
        let Some(kib) = status_kib(pid, "VmRSS:") else {
            return;
        };
        memory.peak.fetch_max(kib, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A `kB` line of `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
