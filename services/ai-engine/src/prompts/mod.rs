//! Prompt templates: versioned Jinja bodies (global defaults, creator overrides) rendered in a
//! sandbox into the prompt a chat sends to the model, with fallback when one fails.
//!
//! [`context`] builds what a template sees, [`render`] is the sandbox, [`resolve`] chooses and
//! renders with fallback ([`render_chat_prompt`] is what the chat path calls), [`store`] reads
//! and writes the rows inside the tenant transaction.

pub mod context;
pub mod error;
pub mod models;
pub mod render;
pub mod resolve;
pub mod store;

pub use context::{ChatContext, CreatorFacts, Location, Passage, Persona, Speaker, Turn};
pub use error::PromptError;
pub use resolve::{
    Candidate, Fallback, RenderedPrompt, Source, TemplateUsed, render_chat_prompt, render_prompt,
};

/// The name of the template a chat renders.
pub const CHAT: &str = "chat";
/// The built-in `chat` template, used when neither the creator nor the platform has one that
/// renders. Migration `20261127000600` seeds the same text as global version 1.
pub const BUILTIN_CHAT: &str = include_str!("builtin_chat.j2");

/// Whether `name` is a template name: `^[a-z][a-z0-9_-]{0,39}$`.
pub fn valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    first_ok
        && name.len() <= 40
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests;
