//! The chat path: retrieval over the creator's live content, the prompt fitted into the model's
//! window, the answer streamed from Ollama, and the extractive answer when it cannot be.
//!
//! [`ChatEngine::prepare`] does everything before the model in the creator's transaction and
//! stores the client's message; [`ChatEngine::answer`] streams [`ChatEvent`]s into a channel
//! (dropping the receiver cancels the model's request) and stores the answer.

pub mod budget;
mod engine;
pub mod events;
mod finish;
mod generate;
pub mod passages;
mod prompt;
pub mod question;
pub mod retrieval;
mod settings;
mod store;

pub use engine::{Ask, ChatEngine, ChatOptions, MAX_MESSAGE_CHARS, Prepared};
pub use events::{ChatEvent, ChatReply, Done, Timings, Usage};
pub use prompt::FittedPrompt;
pub use settings::ChatSettings;
