//! Integration tests of `coachai-common` against the real local stack (PostgreSQL, Redis).
//! `make test` starts the stack; run `scripts/stack/up.sh` first when running them by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cache;
mod constraints;
mod jwks;
mod rls;
mod shell;
mod support;
