//! The Channel WebSocket protocol, without the transport: the frames a client sends and how they
//! are parsed, the events the server sends, and the per-connection rules (idempotent message
//! ids, per-conversation `seq`, message rate, frame size, bounded send queue, close codes).
//!
//! Contract (issue 10, `docs/03-api-specifications/channel.md`):
//! - every frame is one JSON text object tagged by `type`; a client frame is a [`ClientFrame`],
//!   parsed by [`parse_client_frame`], which never panics;
//! - a frame the server refuses yields an `error` event ([`ProtocolError::event`]) with a stable
//!   [`ErrorCode`] and the connection keeps working, except a frame over [`MAX_FRAME_BYTES`],
//!   which is closed with 1009 ([`ProtocolError::close`]);
//! - every event of a conversation carries that conversation's `seq`, from 1, increasing by one
//!   (assigned by [`crate::events::EventLog`]); connection-level events (`pong`, errors about a
//!   frame) carry `null`;
//! - a repeated client message `id` is acknowledged again and answered once (claimed in Redis,
//!   [`crate::events::Claim`]);
//! - `message` frames are rate-limited per connection ([`MessageRate`]);
//! - a client too slow to read its events is closed once its send queue is full
//!   ([`SendQueuePolicy`], 1013 by default).
//!
//! Nothing here does I/O or reads a clock: the caller passes the time in.

mod client;
mod error;
mod limits;
mod rate;
mod server;

#[cfg(test)]
mod client_props;
#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod server_tests;

pub use client::{ClientFrame, MessageText, parse_client_frame};
pub use error::{MAX_DETAIL_CHARS, ProtocolError};
pub use limits::{
    Admission, Close, HEARTBEAT_INTERVAL, IDLE_TIMEOUT, INTERNAL_ERROR, MAX_FRAME_BYTES,
    MAX_TEXT_CHARS, MESSAGE_TOO_BIG, POLICY_VIOLATION, SEND_QUEUE_CAPACITY, SendQueuePolicy,
    TRY_AGAIN_LATER,
};
pub use rate::{BURST, MESSAGES_PER_SECOND, MessageRate};
pub use server::{ErrorCode, EventKind, HandoffState, ServerEvent, Source};
