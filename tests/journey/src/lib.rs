//! The journey suite's harness: what the browser suite's harness lacks for a whole journey
//! through the gateway — a WebSocket chat client, multipart uploads, stats and deletion, probes
//! that report how a request failed, and the faults injected into the suite's own PostgreSQL and
//! ChromaDB (`tests/journey/stack.sh`). The platform itself is `coachai_browser_tests::Platform`.
//!
//! Run it through `tests/journey/run.sh`: it starts that stack and builds the binaries. A missing
//! piece is an error naming it; the suite never passes by not running.

mod error;
mod gateway;
mod stack;
mod ws;

pub use error::JourneyError;
pub use gateway::{Gateway, Probe};
pub use stack::Stack;
pub use ws::{Answer, Chat, Credential};
