//! Extractors of the Auth service.

mod id_path;
mod origin;

pub use id_path::IdPath;
pub use origin::{ClientOrigin, client_ip};
