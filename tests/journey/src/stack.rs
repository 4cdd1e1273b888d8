//! The suite's own PostgreSQL and ChromaDB, stopped and started through `tests/journey/stack.sh`
//! (which refuses to act on the shared stack's ports).

use std::path::PathBuf;

use crate::error::JourneyError;

/// The journey's stack, as `tests/journey/run.sh` started it.
#[derive(Debug, Clone)]
pub struct Stack {
    script: PathBuf,
}

impl Stack {
    /// The stack script of the checkout at `$COACHAI_ROOT`.
    pub fn from_env() -> Result<Self, JourneyError> {
        let root = std::env::var("COACHAI_ROOT").map_err(|_| JourneyError::Env("COACHAI_ROOT"))?;
        std::env::var("JOURNEY_LOCAL").map_err(|_| JourneyError::Env("JOURNEY_LOCAL"))?;
        Ok(Self {
            script: PathBuf::from(root).join("tests/journey/stack.sh"),
        })
    }

    /// `pg_ctl stop -m fast`: every connection of the services is cut.
    pub async fn stop_postgresql(&self) -> Result<(), JourneyError> {
        self.run("stop-postgresql").await
    }

    /// Starts the PostgreSQL stopped by [`Stack::stop_postgresql`].
    pub async fn start_postgresql(&self) -> Result<(), JourneyError> {
        self.run("start-postgresql").await
    }

    /// Stops ChromaDB (SIGTERM to its process group).
    pub async fn stop_chroma(&self) -> Result<(), JourneyError> {
        self.run("stop-chroma").await
    }

    /// Starts ChromaDB again on the same data directory and waits for its heartbeat.
    pub async fn start_chroma(&self) -> Result<(), JourneyError> {
        self.run("start-chroma").await
    }

    async fn run(&self, action: &str) -> Result<(), JourneyError> {
        let output = tokio::process::Command::new(&self.script)
            .arg(action)
            .output()
            .await
            .map_err(|e| JourneyError::Stack {
                action: action.to_owned(),
                status: "not started".to_owned(),
                output: e.to_string(),
            })?;
        if output.status.success() {
            return Ok(());
        }
        Err(JourneyError::Stack {
            action: action.to_owned(),
            status: output.status.to_string(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&output.stdout)
            ),
        })
    }
}
