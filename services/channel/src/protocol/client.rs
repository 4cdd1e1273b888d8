//! The frames a client sends and [`parse_client_frame`], which turns any text into either a valid
//! [`ClientFrame`] or a [`ProtocolError`] naming what to fix; it never panics.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::ProtocolError;
use super::limits::{MAX_FRAME_BYTES, MAX_TEXT_CHARS};

/// One frame from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// A message to the conversation (a new one when `conversation_id` is `null`).
    Message {
        /// The client's id for this message: sending it again is acknowledged again and
        /// answered once.
        id: Uuid,
        /// The conversation, or `null` (or absent) to start one.
        #[serde(default)]
        conversation_id: Option<Uuid>,
        /// What the client wrote.
        text: MessageText,
    },
    /// Send again every event of the conversation after `last_seq` (0: from the start).
    Resume {
        /// The conversation to resume.
        conversation_id: Uuid,
        /// The last `seq` the client received.
        last_seq: u64,
    },
    /// Asks for the human coach in one of the client's conversations (answered by a
    /// `coach_requested` event of that conversation, once).
    RequestCoach {
        /// The conversation the coach should join.
        conversation_id: Uuid,
    },
    /// Asks for a `pong`; also keeps the connection from its idle timeout.
    Ping {},
}

/// The text of a message: 1 to [`MAX_TEXT_CHARS`] characters, not only whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageText(String);

impl MessageText {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MessageText {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        if text.trim().is_empty() {
            return Err("must not be empty or only whitespace".to_owned());
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(format!("must be at most {MAX_TEXT_CHARS} characters"));
        }
        Ok(Self(text))
    }
}

impl From<MessageText> for String {
    fn from(text: MessageText) -> Self {
        text.0
    }
}

/// The fields each frame type accepts, `type` included.
const MESSAGE_FIELDS: &[&str] = &["type", "id", "conversation_id", "text"];
const RESUME_FIELDS: &[&str] = &["type", "conversation_id", "last_seq"];
const REQUEST_COACH_FIELDS: &[&str] = &["type", "conversation_id"];
const PING_FIELDS: &[&str] = &["type"];

/// Parses one text frame, telling apart text over [`MAX_FRAME_BYTES`] (`too_large`), text that
/// is not a JSON object (`malformed_json`), an unknown or missing `type` (`unknown_type`,
/// `invalid_field`) and a field missing, unknown or out of its rules (`invalid_field`, naming it).
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, ProtocolError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::TooLarge { bytes: text.len() });
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| ProtocolError::MalformedJson(e.to_string()))?;
    let Value::Object(fields) = value else {
        return Err(ProtocolError::MalformedJson(
            "a frame is a JSON object".to_owned(),
        ));
    };
    let kind = match fields.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => return Err(ProtocolError::invalid("type", "must be a string")),
        None => return Err(ProtocolError::invalid("type", "is required")),
    };
    match kind {
        "message" => message(&fields),
        "resume" => resume(&fields),
        "request_coach" => request_coach(&fields),
        "ping" => only_known(&fields, PING_FIELDS, kind).map(|()| ClientFrame::Ping {}),
        _ => Err(ProtocolError::UnknownType(kind.to_owned())),
    }
}

fn message(fields: &Map<String, Value>) -> Result<ClientFrame, ProtocolError> {
    only_known(fields, MESSAGE_FIELDS, "message")?;
    Ok(ClientFrame::Message {
        id: required(fields, "id")?,
        conversation_id: optional(fields, "conversation_id")?,
        text: required(fields, "text")?,
    })
}

fn resume(fields: &Map<String, Value>) -> Result<ClientFrame, ProtocolError> {
    only_known(fields, RESUME_FIELDS, "resume")?;
    Ok(ClientFrame::Resume {
        conversation_id: required(fields, "conversation_id")?,
        last_seq: required(fields, "last_seq")?,
    })
}

fn request_coach(fields: &Map<String, Value>) -> Result<ClientFrame, ProtocolError> {
    only_known(fields, REQUEST_COACH_FIELDS, "request_coach")?;
    Ok(ClientFrame::RequestCoach {
        conversation_id: required(fields, "conversation_id")?,
    })
}

/// Refuses the first field that `kind` does not have.
fn only_known(
    fields: &Map<String, Value>,
    known: &[&str],
    kind: &str,
) -> Result<(), ProtocolError> {
    match fields.keys().find(|name| !known.contains(&name.as_str())) {
        Some(name) => Err(ProtocolError::invalid(
            name,
            format!("is not a field of a `{kind}` frame"),
        )),
        None => Ok(()),
    }
}

/// The field `name`, which must be present and not `null`.
fn required<T: DeserializeOwned>(
    fields: &Map<String, Value>,
    name: &str,
) -> Result<T, ProtocolError> {
    match fields.get(name) {
        None | Some(Value::Null) => Err(ProtocolError::invalid(name, "is required")),
        Some(value) => decode(value, name),
    }
}

/// The field `name`, `None` when absent or `null`.
fn optional<T: DeserializeOwned>(
    fields: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, ProtocolError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => decode(value, name).map(Some),
    }
}

/// Decodes one field with the same rules serde applies to [`ClientFrame`], naming the field.
fn decode<T: DeserializeOwned>(value: &Value, name: &str) -> Result<T, ProtocolError> {
    T::deserialize(value).map_err(|e| ProtocolError::invalid(name, e.to_string()))
}
