//! One Channel process under test: the release binary Cargo built for this bench, started on a
//! free port with the stack's environment, read through `/proc/<pid>` (resident memory and CPU
//! time), killed when dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

/// The Channel settings a run chooses (the rest come from the stack).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// `CHANNEL_HEARTBEAT_SECS`: how often the server pings a quiet connection.
    pub heartbeat_secs: u64,
    /// `CHANNEL_IDLE_SECS`: how long a connection may stay silent before it is closed.
    pub idle_secs: u64,
}

/// A running Channel process.
pub struct Channel {
    child: Child,
    pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its stderr (logs at `warn`), kept for a post-mortem.
    pub log: PathBuf,
}

impl Channel {
    /// Starts the binary with `env` and `settings` and waits until it accepts connections.
    pub async fn start(env: &[(String, String)], settings: Settings) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0").await?.local_addr()?.port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let log = std::env::temp_dir().join(format!("ws_load-channel-{port}.log"));
        let stderr = std::fs::File::create(&log).context("creating the Channel's log file")?;
        let child = Command::new(env!("CARGO_BIN_EXE_coachai-channel"))
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORT", port.to_string())
            .env("RUST_LOG", "warn")
            .env(
                "CHANNEL_HEARTBEAT_SECS",
                settings.heartbeat_secs.to_string(),
            )
            .env("CHANNEL_IDLE_SECS", settings.idle_secs.to_string())
            .env("AI_ENGINE_URL", "http://127.0.0.1:9/api/v1/ai")
            .stdout(Stdio::null())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .context("starting coachai-channel")?;
        let pid = child.id().context("the Channel exited at once")?;
        let mut channel = Self {
            child,
            pid,
            addr,
            log,
        };
        channel.wait_ready().await?;
        Ok(channel)
    }

    /// Waits up to 30 s for the port to accept, failing early if the process exits.
    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "coachai-channel exited with {status} at start-up; see {}",
                    self.log.display()
                );
            }
            if TcpStream::connect(self.addr).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!(
            "coachai-channel did not listen on {} within 30 s",
            self.addr
        )
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Its resident memory in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        rss_kib(&format!("/proc/{}/status", self.pid))
    }

    /// CPU time it used so far (user + system).
    pub fn cpu(&self) -> anyhow::Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name, which is in parentheses and may hold spaces.
        let after = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let fields: Vec<&str> = after.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after `)`.
        let ticks = |i: usize| -> anyhow::Result<u64> {
            Ok(fields.get(i).context("short /proc stat")?.parse::<u64>()?)
        };
        let total = ticks(11)? + ticks(12)?;
        let hz = rustix::param::clock_ticks_per_second();
        Ok(Duration::from_secs_f64(total as f64 / hz as f64))
    }

    /// True while the process runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// `VmRSS` of a `/proc/<pid>/status` file, in KiB.
pub fn rss_kib(status_path: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(status_path)?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .context("VmRSS without a value")?;
    Ok(kib.parse()?)
}
