//! The Channel's WebSocket endpoint end to end over real sockets: Channel processes built from
//! this crate, the AI Engine served in-process over the Ollama double, a JWKS server standing in
//! for the Auth service, the real nginx gateway, and the local stack's PostgreSQL and Redis.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

// The AI Engine's own test harness: its router, users, tokens and their key.
#[allow(dead_code)]
#[path = "../../../ai-engine/tests/support/harness.rs"]
mod harness;

mod support;

mod bad_input;
mod handshake;
mod isolation;
mod replicas;
mod resume;
mod slow_client;
