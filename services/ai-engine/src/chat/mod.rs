//! The chat path: retrieval over the creator's live content, the prompt fitted into the model's
//! window, the answer streamed from Ollama, and the extractive answer when it cannot be.
//!
//! [`ChatEngine::prepare`] does everything before the model in the creator's transaction and
//! stores the client's message (or holds it: the coach handles the conversation, or it escalates,
//! see [`escalation`]); [`ChatEngine::answer`] streams [`ChatEvent`]s into a channel
//! (dropping the receiver cancels the model's request) and stores the answer.

pub mod budget;
mod engine;
pub mod escalation;
pub mod events;
mod finish;
mod generate;
mod hold;
pub mod passages;
mod prompt;
pub mod question;
pub mod retrieval;
mod settings;
mod store;

pub use engine::{Ask, ChatEngine, ChatOptions, MAX_MESSAGE_CHARS, Prepared};
pub use events::{ChatEvent, ChatReply, Done, HeldReply, Timings, Usage};
pub use hold::{Held, HoldReason, Taken};
pub use prompt::FittedPrompt;
pub use settings::ChatSettings;
