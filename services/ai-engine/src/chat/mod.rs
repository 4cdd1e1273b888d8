//! The chat path: retrieval over the creator's live content, the prompt fitted into the model's
//! window, the answer streamed from Ollama, and the extractive answer when it cannot be.

pub mod budget;
pub mod passages;
pub mod retrieval;
mod store;
