//! What can go wrong in the harness, each saying what was being done.

use coachai_browser_tests::HarnessError;

/// A harness failure.
#[derive(Debug, thiserror::Error)]
pub enum JourneyError {
    /// The browser suite's harness failed (platform start, seeding calls).
    #[error(transparent)]
    Harness(#[from] HarnessError),
    /// An HTTP call failed below HTTP (connection refused, reset, timed out).
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The WebSocket failed.
    #[error("WebSocket: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    /// A call answered another status than expected.
    #[error("{call} answered {status}: {body}")]
    Api {
        /// Method and path.
        call: String,
        /// HTTP status.
        status: u16,
        /// The body as text.
        body: String,
    },
    /// Nothing arrived in time: a hang.
    #[error("{what}: nothing within {secs} s")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long it was awaited.
        secs: u64,
    },
    /// Something arrived that the journey did not expect.
    #[error("{what}: {detail}")]
    Unexpected {
        /// What was looked at.
        what: String,
        /// What it was.
        detail: String,
    },
    /// `tests/journey/stack.sh` failed.
    #[error("tests/journey/stack.sh {action} failed ({status}): {output}")]
    Stack {
        /// The action asked for.
        action: String,
        /// The exit status.
        status: String,
        /// stderr and stdout.
        output: String,
    },
    /// A required environment variable is unset.
    #[error("{0} is not set (run tests/journey/run.sh)")]
    Env(&'static str),
}
