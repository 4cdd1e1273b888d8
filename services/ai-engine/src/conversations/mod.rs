//! Conversations and their messages, always those of one user: every function takes the
//! tenant transaction (RLS scopes it to the creator) and filters by the user, so a
//! conversation of another user — of the same creator or another — is "not found".
//!
//! The chat path calls [`start_or_continue`], [`append_message`] and [`recent_turns`]; the
//! routes list, read and erase. A [`ConversationId`] can only come from [`start_or_continue`],
//! so appending to or reading turns of a conversation the caller does not own cannot compile.

mod cursor;
mod handling;
pub mod model;
mod store;

use coachai_common::AppError;

pub use cursor::{BadCursor, Cursor};
pub use handling::{flag_escalation, handled_by_coach};
pub use model::{MessageMeta, MessageRole, Turn};
pub use store::{
    ConversationId, append_message, delete, get, page, recent_turns, start_or_continue,
};

/// Why a conversation could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConversationError {
    /// No conversation of the caller has this id (another user's answers the same).
    #[error("no such conversation")]
    NotFound,
    /// The listing's cursor was not made by this API.
    #[error(transparent)]
    BadCursor(#[from] BadCursor),
    /// PostgreSQL failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// A stored row holds a value this code does not know.
    #[error("corrupt message row: {0}")]
    Corrupt(String),
}

impl From<ConversationError> for AppError {
    fn from(err: ConversationError) -> Self {
        match err {
            ConversationError::NotFound => AppError::NotFound(err.to_string()),
            ConversationError::BadCursor(e) => AppError::BadRequest(e.to_string()),
            ConversationError::Db(e) => AppError::from(e),
            ConversationError::Corrupt(_) => AppError::internal(err),
        }
    }
}
