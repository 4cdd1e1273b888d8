//! The HTTP routes of the AI Engine, each documented in the OpenAPI document.

pub mod conversations;
pub mod models;
