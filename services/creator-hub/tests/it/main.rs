//! Integration tests of the Creator Hub against the real PostgreSQL and Redis of the local
//! stack. Each test makes its own creators, so tests run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod api_keys;
mod content;
mod content_input;
mod content_list;
mod content_tenancy;
mod harness;
mod openapi;
#[path = "../../../../tests/shared/pdf_fixture.rs"]
mod pdf_fixture;
mod profile;
mod profile_input;
mod stats;
mod upload;
mod upload_input;
mod versions;
mod versions_race;
