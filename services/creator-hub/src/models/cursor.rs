//! The library listing's cursor: the one every keyset listing uses
//! ([`coachai_common::cursor`]).

pub use coachai_common::cursor::{BadCursor, Cursor};
