//! Answers come from the AI Engine's `POST /api/v1/ai/chat` event stream, called with the
//! client's own credential (DESIGN.md: the caller's credential forwarded), and every event of
//! the answer is appended to the conversation's log ([`crate::events::EventLog`]): the
//! connection that asked, another connection of the same user, or a connection on another
//! replica after a reconnect all read it from there.
//!
//! [`run`] does not belong to the connection: a client whose network drops mid-answer finds
//! the whole answer when it resumes.

mod client;
mod job;

pub use client::{AiEngine, AnswerEvent, Refusal};
pub use job::{Job, Notice, run};
