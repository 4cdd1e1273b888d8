//! Child processes that die with their owner, and waiting for an HTTP endpoint to answer.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::HarnessError;

/// A child process killed (and reaped) when dropped; its output goes to a log file.
#[derive(Debug)]
pub(crate) struct Owned {
    name: String,
    child: Child,
}

impl Owned {
    /// Starts `command` with stdout and stderr appended to `log`.
    pub(crate) fn spawn(
        name: &str,
        mut command: Command,
        log: &Path,
    ) -> Result<Self, HarnessError> {
        let out = File::create(log).map_err(HarnessError::io(log))?;
        let err = out.try_clone().map_err(HarnessError::io(log))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|source| HarnessError::Spawn {
                what: name.to_owned(),
                source,
            })?;
        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// Whether the process has exited, with its status when it has.
    pub(crate) fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(err) => Some(err.to_string()),
        }
    }

    /// The process's name as given to [`Owned::spawn`].
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // Already exited is fine; the wait reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `url` until it answers 2xx, `process` exits, or `timeout` passes.
pub(crate) async fn wait_http(
    url: &str,
    process: &mut Owned,
    log: &Path,
    timeout: Duration,
) -> Result<(), HarnessError> {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut last = String::from("no answer yet");
    while start.elapsed() < timeout {
        if let Some(status) = process.exited() {
            return Err(not_ready(
                process.name(),
                timeout,
                format!("exited {status}"),
                log,
            ));
        }
        match client.get(url).timeout(Duration::from_secs(2)).send().await {
            Ok(resp) if resp.status().is_success() => return Ok(()),
            Ok(resp) => last = format!("{url} answered {}", resp.status()),
            Err(err) => last = format!("{url}: {err}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(not_ready(process.name(), timeout, last, log))
}

fn not_ready(name: &str, timeout: Duration, detail: String, log: &Path) -> HarnessError {
    HarnessError::NotReady {
        what: name.to_owned(),
        secs: timeout.as_secs(),
        detail: format!("{detail}; log {}:\n{}", log.display(), tail(log, 15)),
    }
}

/// The last `lines` lines of a log file, or why it could not be read.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(err) => format!("(unreadable: {err})"),
    }
}
