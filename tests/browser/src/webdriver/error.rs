//! What a WebDriver command can fail with: chromedriver unreachable, an error the W3C protocol
//! names (`{"value":{"error":..., "message":...}}`), or a reply of an unexpected shape.

/// A failed WebDriver command; every variant names the command (`POST /session/…/element`).
#[derive(Debug, thiserror::Error)]
pub enum WebDriverError {
    /// The request did not get an HTTP answer (driver gone, connection refused, timeout).
    #[error("{command}: chromedriver did not answer")]
    Transport {
        /// Method and path of the command.
        command: String,
        /// reqwest's reason.
        source: reqwest::Error,
    },
    /// The driver answered with a W3C error.
    #[error("{command}: {error}: {message}")]
    Command {
        /// Method and path of the command.
        command: String,
        /// The W3C error code (`no such element`, `stale element reference`, ...).
        error: String,
        /// The driver's explanation.
        message: String,
    },
    /// The driver answered something that is neither a value nor a W3C error.
    #[error("{command}: unexpected reply ({status}): {body}")]
    Reply {
        /// Method and path of the command.
        command: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong, and the body.
        body: String,
    },
}

impl WebDriverError {
    /// The W3C error code when the driver answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Command { error, .. } => Some(error),
            Self::Transport { .. } | Self::Reply { .. } => None,
        }
    }

    /// Whether the element looked for (or used) is not, or no longer, in the document: the
    /// errors a test polling a changing page waits out.
    pub fn is_missing_element(&self) -> bool {
        matches!(
            self.code(),
            Some("no such element" | "stale element reference")
        )
    }
}
