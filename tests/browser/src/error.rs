//! Why the harness could not give a test what it needs; each variant names what is missing.

use std::path::PathBuf;

/// A failure of the harness rather than of the product under test.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A program the suite needs is not installed or not built.
    #[error("{what} not found at {path}: {hint}")]
    Missing {
        /// What is missing (`chromium`, `the AI Engine binary`, ...).
        what: String,
        /// Where it was looked for.
        path: PathBuf,
        /// How to get it.
        hint: String,
    },
    /// A child process could not be started.
    #[error("could not start {what}: {source}")]
    Spawn {
        /// The program.
        what: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A started process did not become ready in time.
    #[error("{what} did not become ready within {secs} s; {detail}")]
    NotReady {
        /// The process or resource.
        what: String,
        /// How long the harness waited.
        secs: u64,
        /// The last thing seen (log tail, status, error).
        detail: String,
    },
    /// A script of the repository failed.
    #[error("{script} failed ({status}): {output}")]
    Script {
        /// The script's path relative to the repository.
        script: String,
        /// Its exit status.
        status: String,
        /// Its standard error and output.
        output: String,
    },
    /// An API call made while seeding answered something unexpected.
    #[error("{call} answered {status}: {body}")]
    Api {
        /// Method and path.
        call: String,
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: String,
    },
    /// An HTTP request failed below HTTP.
    #[error("HTTP request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// A WebDriver command (the session's creation included) failed.
    #[error(transparent)]
    WebDriver(#[from] crate::webdriver::WebDriverError),
    /// A file of the harness could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The environment lacks a variable the suite needs.
    #[error("{0} is not set (source scripts/env.sh)")]
    Env(&'static str),
    /// Something the harness read had an unexpected shape.
    #[error("unexpected {what}: {detail}")]
    Unexpected {
        /// What was read.
        what: String,
        /// What it was.
        detail: String,
    },
}

impl HarnessError {
    /// A [`HarnessError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
