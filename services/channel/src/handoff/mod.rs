//! Human handoff: the coach's side of a conversation. Staff of the creator (owner, admin or
//! coach; a client gets 403) list the conversations that need attention, take one over
//! (`handled_by = 'coach'`: the AI Engine then stores the client's messages and answers none),
//! reply in person, and hand it back to the AI. Every change the client should see goes through
//! the conversation's event log ([`crate::events::EventLog`]) as `handoff` or `coach_message`,
//! so it reaches the client's live connections and is replayed on resume; a conversation that came
//! from a messaging channel also gets the reply, and a notice of each change of hands, through the
//! outbox ([`crate::messaging::outbox`]), in the same transaction.
//!
//! The client's side is one request ([`request_coach`]): ask for the coach, which flags the
//! conversation `handoff_requested` for the list and publishes `coach_requested` once.
//!
//! The tenant comes from the verified token ([`coachai_common::tenancy::Tenant`]): another
//! creator's conversation is "not found" (404), never revealed. Contract:
//! `docs/03-api-specifications/channel.md`, section "Handoff".

mod models;
mod request;
mod routes;
mod store;

use coachai_common::AppError;
use coachai_common::cursor::BadCursor;

pub use models::{
    CoachConversation, CoachConversationPage, CoachMessage, CoachReply, HandoffRequest, ListQuery,
};
pub use request::{CoachRequest, Requested, flag, request_coach};
pub use routes::api;

use crate::events::LogError;

/// What a client on a messaging channel (Telegram, webhook) is told when a coach takes over.
pub const COACH_JOINED: &str =
    "Your coach has joined this conversation and will answer you personally.";
/// What they are told when the coach hands the conversation back to the AI.
pub const AI_RESUMED: &str = "Your coach has handed this conversation back to the AI coach.";

/// What a client on a messaging channel is told after `/coach`.
pub const COACH_ASKED: &str = "I've asked your coach to join; they'll answer here.";
/// What they are told after `/coach` in a chat that has no conversation yet.
pub const NOTHING_TO_HAND_OVER: &str =
    "There is nothing to hand over to your coach yet: ask your question first, then send /coach.";
/// What they are told after `/coach` when the coach already answers them.
pub const COACH_ALREADY_HERE: &str = "Your coach is already answering you here.";

/// Longest reply a coach may send, in characters (the chat's message limit).
pub const MAX_REPLY_CHARS: usize = 4000;

/// Why a handoff request failed.
#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    /// No conversation of the caller's creator has this id.
    #[error("no such conversation")]
    NotFound,
    /// A coach reply to a conversation the AI handles.
    #[error(
        "the AI answers this conversation; take it over (POST .../handoff {{\"state\": \"coach\"}}) before replying"
    )]
    NotHandedOver,
    /// The listing's cursor was not made by this API.
    #[error(transparent)]
    BadCursor(#[from] BadCursor),
    /// PostgreSQL failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// The event log could not be written; nothing was changed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The message for the client's messaging channel could not be queued; nothing was changed.
    #[error(transparent)]
    Messaging(#[from] crate::messaging::MessagingError),
}

impl From<HandoffError> for AppError {
    fn from(err: HandoffError) -> Self {
        match err {
            HandoffError::NotFound => AppError::NotFound(err.to_string()),
            HandoffError::NotHandedOver => AppError::Conflict(err.to_string()),
            HandoffError::BadCursor(e) => AppError::BadRequest(e.to_string()),
            HandoffError::Db(e) => AppError::from(e),
            HandoffError::Log(e) => AppError::Unavailable(e.to_string()),
            HandoffError::Messaging(e) => AppError::from(e),
        }
    }
}
