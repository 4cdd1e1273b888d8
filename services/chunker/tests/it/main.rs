//! Behaviour of the chunker through its public API: each format from fixtures built here, bad
//! input as typed errors, and properties over arbitrary input.

// Helpers outside #[test] functions panic on broken fixtures just like the tests do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod formats;
mod malformed;
mod pdf;
#[path = "../../../../tests/shared/pdf_fixture.rs"]
mod pdf_fixture;
mod properties;

use coachai_chunker::ChunkOptions;

/// Small chunks so short fixtures exercise merging, splitting and overlap.
fn small() -> ChunkOptions {
    ChunkOptions::new(120, 30).expect("valid options")
}
