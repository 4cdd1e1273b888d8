//! Integration tests of the ingestion queue against the real PostgreSQL of the local stack.
//! Tests that claim run one at a time (see `support::serial`): a claim takes any due job of
//! any creator, so concurrent tests would take each other's jobs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod claims;
mod deletion;
mod retries;
mod support;
mod tenancy;
mod versions;
