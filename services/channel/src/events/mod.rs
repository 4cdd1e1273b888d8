//! The events of conversations, kept and shared through Redis: [`EventLog::append`] gives an
//! event the conversation's next `seq`, keeps it in a bounded stream for `resume`, and publishes
//! it to every Channel replica; [`EventLog::replay`] reads what a client missed; [`Published`]
//! is one event as a replica receives it.
//!
//! One Lua script does the three steps atomically, so the stream's order, the `seq`s and the
//! order of publication are the same on every replica. The frame is built once, in Redis, and
//! sent to clients as it is.

mod claims;
mod log;
mod wire;

pub use claims::Claim;
pub use log::{EventLog, LogError, Replay};
pub use wire::{Published, channel_name, conversation_of_channel};
