//! Human handoff and escalation end to end: Channel processes built from this crate, the AI
//! Engine in-process over the Ollama double, the local stack's PostgreSQL and Redis; the coach
//! over the Channel's REST routes, the client over the WebSocket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

// The AI Engine's own test harness: its router, users, tokens and their key.
#[allow(dead_code)]
#[path = "../../../ai-engine/tests/support/harness.rs"]
mod harness;

// The WebSocket suite's stack and client (tests/ws/support), shared rather than copied.
#[allow(dead_code)]
#[path = "../ws/support/mod.rs"]
mod support;

mod coach;
mod escalation;
mod isolation;
mod request;
mod takeover;
