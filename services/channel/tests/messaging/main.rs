//! Messaging channels end to end: Channel processes built from this crate, the AI Engine served
//! in-process over the Ollama double, a JWKS server, local HTTP receivers playing Telegram's
//! Bot API and webhook destinations (able to fail, hang or answer late), and the local stack's
//! PostgreSQL and Redis. The tests run one at a time ([`support::stack::Stack::start`] holds a
//! lock): every Channel process claims due rows of every tenant, so two tests' processes
//! would otherwise answer each other's messages with their own receivers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

// The AI Engine's own test harness: its router, users, tokens and their key.
#[allow(dead_code)]
#[path = "../../../ai-engine/tests/support/harness.rs"]
mod harness;

mod support;

mod dead_letters;
mod delivery;
mod engine_down;
mod handoff;
mod isolation;
mod openapi;
mod restart;
mod telegram;
mod webhook;
