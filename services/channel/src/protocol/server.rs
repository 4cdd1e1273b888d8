//! The events the server sends: one JSON text frame each, `{"type": ..., "conversation_id": ...,
//! "seq": ..., <fields of the type>}`; `seq` is the conversation's, `null` (with a `null`
//! conversation) only for events that belong to the connection rather than to a conversation.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// One event from the server to the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEvent {
    /// The conversation the event belongs to; `null` for a connection-level event (`pong`, or an
    /// `error` about a frame that named no usable conversation).
    pub conversation_id: Option<Uuid>,
    /// The event's place in its conversation, from 1 and increasing by one per event (see
    /// [`crate::events::EventLog`]); `null` exactly when `conversation_id` is.
    pub seq: Option<u64>,
    /// What happened, with the `type` tag and its fields.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl ServerEvent {
    /// An event of `conversation_id` at position `seq`.
    pub fn in_conversation(conversation_id: Uuid, seq: u64, kind: EventKind) -> Self {
        Self {
            conversation_id: Some(conversation_id),
            seq: Some(seq),
            kind,
        }
    }

    /// An event of the connection itself: no conversation, no `seq`, never replayed on resume.
    pub fn connection(kind: EventKind) -> Self {
        Self {
            conversation_id: None,
            seq: None,
            kind,
        }
    }

    /// The event as the JSON text frame sent on the socket.
    pub fn to_json(&self) -> String {
        // Every field is a string, number, bool, UUID or JSON value: serialising cannot fail, and
        // if a future field could, a generic internal error is what the client should see.
        serde_json::to_string(self).unwrap_or_else(|_| {
            concat!(
                r#"{"type":"error","conversation_id":null,"seq":null,"code":"internal","#,
                r#""detail":"the event could not be encoded"}"#
            )
            .to_owned()
        })
    }
}

/// The `type` of a server event and the fields that come with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The client's message `id` was received and stored (sent again for a repeated `id`).
    Ack {
        /// The client's message id, as it sent it.
        id: Uuid,
    },
    /// A piece of the answer's text, in order.
    Token {
        /// The text to append.
        text: String,
    },
    /// The answer is complete and stored.
    Done {
        /// The stored answer.
        message_id: Uuid,
        /// The passages the answer was grounded in, best first.
        sources: Vec<Source>,
        /// The model that answered; `null` for an extractive answer.
        model: Option<String>,
        /// True when part of the answer path was unavailable.
        degraded: bool,
        /// True when the message was escalated to the human coach: the answer is the holding
        /// reply, no model wrote it, and the coach was told.
        #[serde(default)]
        escalated: bool,
    },
    /// Something the client sent, or the answer, failed; the connection keeps working unless a
    /// close frame follows.
    Error {
        /// A stable machine-readable code.
        code: ErrorCode,
        /// What went wrong, for a human.
        detail: String,
    },
    /// Someone (the model or the coach) is writing an answer.
    Typing,
    /// Who answers the conversation from now on.
    Handoff {
        /// `coach` once the coach took over, `ai` once they handed back.
        state: HandoffState,
    },
    /// The client asked for their human coach (`request_coach`): the coach's attention list now
    /// shows the conversation as `handoff_requested`; the AI answers until the coach takes over
    /// (then `handoff {state: "coach"}` follows). Sent once however often the client asks.
    CoachRequested,
    /// The human coach wrote in the conversation (after taking it over).
    CoachMessage {
        /// The stored message.
        message_id: Uuid,
        /// What the coach wrote.
        text: String,
    },
    /// The answer to a client `ping`.
    Pong,
}

/// One passage an answer was grounded in (the AI Engine's `done.sources` item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The content item.
    pub content_id: Uuid,
    /// Its title.
    pub title: String,
    /// Where in the item (for example `{"page": 2}`).
    pub location: Value,
    /// Relevance, higher is better.
    pub score: f32,
    /// The start of the passage.
    pub snippet: String,
}

/// Who answers a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffState {
    /// The coach answers in person.
    Coach,
    /// The AI answers.
    Ai,
}

/// The stable `code` of an `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not JSON, not a JSON object, or not a text frame.
    MalformedJson,
    /// The frame's `type` is not one the server knows.
    UnknownType,
    /// A field is missing, unknown to the frame's type, or has a value out of its rules.
    InvalidField,
    /// The frame exceeds the size limit (a close with 1009 follows).
    TooLarge,
    /// Too many messages in a short time; the message was not accepted.
    RateLimited,
    /// The conversation does not exist or is not the caller's.
    NotFound,
    /// The credential the connection was opened with expired or was revoked; a close follows.
    Unauthorized,
    /// Events asked for by `resume` are no longer kept (the detail names them); read the
    /// conversation through the AI Engine's conversations API instead.
    Gone,
    /// A service the answer needs is unavailable; sending again later may work.
    Unavailable,
    /// The server failed; the detail says nothing more.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::UnknownType => "unknown_type",
            Self::InvalidField => "invalid_field",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::NotFound => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::Gone => "gone",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}
