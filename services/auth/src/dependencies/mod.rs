//! Extractors of the Auth service.

mod origin;

pub use origin::{ClientOrigin, client_ip};
