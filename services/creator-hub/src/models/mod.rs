//! Request and response bodies of the Creator Hub, with their validation.

pub mod origin;
pub mod profile;
pub mod text;
