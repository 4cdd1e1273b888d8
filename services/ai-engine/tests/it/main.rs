//! Integration tests of the AI Engine against the real PostgreSQL and Redis of the local
//! stack. Each test makes its own creators, so tests run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The futures of the router and the cached render nest deeper than the default allows.
#![recursion_limit = "256"]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

// Shared with the other suites; this one uses only part of it.
#[allow(dead_code)]
#[path = "../support/harness.rs"]
mod harness;
mod prompts;
mod prompts_cache;
mod prompts_harness;
mod prompts_input;
mod prompts_openapi;
mod prompts_race;
mod prompts_tenancy;
