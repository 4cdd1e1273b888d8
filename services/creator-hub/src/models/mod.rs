//! Request and response bodies of the Creator Hub, with their validation.

pub mod content;
pub mod cursor;
pub mod listing;
pub mod origin;
pub mod profile;
pub mod stats;
pub mod text;
pub mod upload;
