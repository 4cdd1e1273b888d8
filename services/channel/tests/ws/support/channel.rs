//! A Channel process (this crate's binary) on a free port, with its log in a scratch file;
//! stopped with SIGTERM (so a coverage run keeps its profile), then killed, when dropped.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::served::{free_port, scratch_dir};

/// How long a Channel process may take to answer its health route.
const STARTUP: Duration = Duration::from_secs(30);

/// A running Channel process.
pub struct Channel {
    /// Where it serves HTTP and WebSockets.
    pub addr: SocketAddr,
    child: Child,
    dir: PathBuf,
}

impl Channel {
    /// Starts the binary with `env` (name, value) on top of the test's environment and waits
    /// until `/api/v1/channels/health` answers.
    pub async fn start(env: &[(String, String)]) -> Self {
        let port = free_port();
        let dir = scratch_dir("channel");
        let log = std::fs::File::create(dir.join("channel.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_coachai-channel"))
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORT", port.to_string())
            .env("BIND_ADDR", "127.0.0.1")
            .env("LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the coachai-channel binary starts");
        let mut channel = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            dir,
        };
        channel.wait_healthy().await;
        channel
    }

    async fn wait_healthy(&mut self) {
        let url = format!("http://{}/api/v1/channels/health", self.addr);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + STARTUP;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the Channel process exited with {status}:\n{}", self.log());
            }
            if http.get(&url).send().await.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the Channel process did not answer {url} within {STARTUP:?}:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its resident memory now, in KiB (`VmRSS` of `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("/proc/<pid>/status has a VmRSS line")
    }

    /// What the process logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("channel.log")).unwrap_or_default()
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!(
                "--- Channel {} log (last lines) ---\n{}",
                self.addr,
                tail.join("\n")
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
