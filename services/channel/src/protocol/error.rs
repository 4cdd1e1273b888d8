//! What can go wrong with a client's frame, each case with a stable [`ErrorCode`], a detail for
//! a human (at most [`MAX_DETAIL_CHARS`] characters, never the whole frame back) and, for the
//! few that end the connection, the close to send after the `error` event.

use std::time::Duration;

use thiserror::Error;

use super::limits::{Close, MAX_FRAME_BYTES};
use super::server::{ErrorCode, EventKind, ServerEvent};

/// The longest `detail` an `error` event carries; longer ones are cut with an ellipsis.
pub const MAX_DETAIL_CHARS: usize = 200;

/// A frame the server refuses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// Not JSON, or JSON that is not an object.
    #[error("the frame is not a JSON object: {0}")]
    MalformedJson(String),
    /// A binary frame: frames are JSON text.
    #[error("binary frames are not accepted; send JSON text frames")]
    Binary,
    /// A `type` the server does not know.
    #[error("unknown frame type `{0}`; expected `message`, `resume` or `ping`")]
    UnknownType(String),
    /// A field missing, unknown to its frame type, or out of its rules.
    #[error("`{field}` {problem}")]
    InvalidField {
        /// The field, as the client named it.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A frame over [`MAX_FRAME_BYTES`].
    #[error("the frame is {bytes} bytes; the limit is {MAX_FRAME_BYTES}")]
    TooLarge {
        /// The frame's size.
        bytes: usize,
    },
    /// The connection's message rate was exceeded; the message was not accepted.
    #[error("too many messages; send again in {} ms", .retry_after.as_millis())]
    RateLimited {
        /// How long until one more message is accepted.
        retry_after: Duration,
    },
}

impl ProtocolError {
    /// An [`ProtocolError::InvalidField`] for `field`.
    pub fn invalid(field: &str, problem: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.to_owned(),
            problem: problem.into(),
        }
    }

    /// The stable code of the `error` event.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MalformedJson(_) | Self::Binary => ErrorCode::MalformedJson,
            Self::UnknownType(_) => ErrorCode::UnknownType,
            Self::InvalidField { .. } => ErrorCode::InvalidField,
            Self::TooLarge { .. } => ErrorCode::TooLarge,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
        }
    }

    /// The connection-level `error` event telling the client what to fix.
    pub fn event(&self) -> ServerEvent {
        ServerEvent::connection(EventKind::Error {
            code: self.code(),
            detail: truncate(&self.to_string(), MAX_DETAIL_CHARS),
        })
    }

    /// The close that follows the `error` event, for the errors that end the connection: a
    /// frame over the size limit (1009). Every other error leaves the connection working.
    pub fn close(&self) -> Option<Close> {
        match self {
            Self::TooLarge { .. } => Some(Close::FRAME_TOO_LARGE),
            _ => None,
        }
    }
}

/// `text` cut to `max` characters, the last of them an ellipsis when anything was cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn wire(error: &ProtocolError) -> Value {
        serde_json::from_str(&error.event().to_json()).unwrap()
    }

    #[test]
    fn each_error_becomes_a_connection_level_error_event_with_its_stable_code() {
        let cases = [
            (ProtocolError::MalformedJson("x".into()), "malformed_json"),
            (ProtocolError::Binary, "malformed_json"),
            (ProtocolError::UnknownType("shout".into()), "unknown_type"),
            (
                ProtocolError::invalid("text", "is required"),
                "invalid_field",
            ),
            (ProtocolError::TooLarge { bytes: 2_000_000 }, "too_large"),
            (
                ProtocolError::RateLimited {
                    retry_after: Duration::from_millis(200),
                },
                "rate_limited",
            ),
        ];
        for (error, code) in cases {
            let event = wire(&error);
            assert_eq!(event["type"], "error");
            assert_eq!(event["code"], code);
            assert_eq!(event["conversation_id"], Value::Null);
            assert_eq!(event["seq"], Value::Null);
            assert!(!event["detail"].as_str().unwrap().is_empty());
        }
    }

    #[test]
    fn an_invalid_field_detail_names_the_field_and_the_rule() {
        let event = wire(&ProtocolError::invalid("last_seq", "must be 0 or more"));
        assert_eq!(event["detail"], json!("`last_seq` must be 0 or more"));
    }

    #[test]
    fn a_rate_limited_detail_says_when_to_send_again() {
        let error = ProtocolError::RateLimited {
            retry_after: Duration::from_millis(200),
        };
        assert_eq!(
            wire(&error)["detail"],
            "too many messages; send again in 200 ms"
        );
    }

    #[test]
    fn a_long_detail_is_cut_so_a_frame_is_never_echoed_back_whole() {
        let error = ProtocolError::UnknownType("x".repeat(10_000));
        let detail = wire(&error)["detail"].as_str().unwrap().to_owned();
        assert_eq!(detail.chars().count(), MAX_DETAIL_CHARS);
        assert!(detail.ends_with('…'));
    }

    #[test]
    fn only_an_oversized_frame_closes_the_connection_with_1009() {
        assert_eq!(
            ProtocolError::TooLarge { bytes: 2_000_000 }
                .close()
                .map(|c| c.code),
            Some(1009)
        );
        assert_eq!(ProtocolError::UnknownType("shout".into()).close(), None);
        assert_eq!(ProtocolError::MalformedJson("x".into()).close(), None);
        assert_eq!(ProtocolError::invalid("text", "is required").close(), None);
    }
}
