//! The embedding worker against the real PostgreSQL and ChromaDB of the local stack and the
//! Ollama double: embed jobs fill the creator's collection and make content ready, new versions
//! swap in with the old vectors swept, deletions remove vectors, failures retry then fail the
//! content with the reason, and creators never share a collection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod embed;
mod failures;
// Shared with the chat suites; this one uses only part of it.
#[allow(dead_code)]
#[path = "../support/library.rs"]
mod library;
mod support;
