//! Integration tests of the Auth service against the real PostgreSQL and Redis of the local
//! stack. Each test signs up its own creator with a random slug and calls from its own client
//! address, so tests run in parallel without sharing tenants or rate-limit counters.

// Helpers outside #[test] functions panic on broken fixtures just like the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod harness;
mod journeys;
mod key_rotation;
mod login_load;
mod owner_invitation;
mod rate_limits;
mod refresh_property;
mod revocation;
mod scopes;
mod token_attacks;
