//! What a chat answer is made of, as the SSE events `token`, `done`, `held` and `error` carry it
//! and as the non-streaming reply returns it.

use coachai_common::error::Problem;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::passages::Source;
use crate::prompts::TemplateUsed;

/// Token counts of one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Usage {
    /// Tokens of the prompt (Ollama's count; the engine's estimate for an extractive answer).
    pub prompt_tokens: u64,
    /// Tokens of the answer.
    pub completion_tokens: u64,
}

/// Where the time of one answer went, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Timings {
    /// Reading the conversation, retrieval and the prompt.
    pub prepare_ms: u64,
    /// From the request to the first token sent.
    pub first_token_ms: u64,
    /// From the request to the `done` event.
    pub total_ms: u64,
}

/// The final event of an answer (and, with `answer`, the non-streaming reply).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"conversation_id": "0195f3b0-0000-7000-8000-000000000001",
    "message_id": "0195f3b0-0000-7000-8000-000000000002",
    "sources": [{"content_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
        "title": "Kettlebell basics", "location": {"page": 2}, "score": 0.66,
        "snippet": "Exhale at the top of every swing."}],
    "model": "smollm2:135m", "model_fell_back": false, "prompt_version": 1,
    "template": {"name": "chat", "version": 1, "source": "global", "fell_back_from": null},
    "degraded": false, "degraded_reason": null, "escalated": false,
    "usage": {"prompt_tokens": 412, "completion_tokens": 57},
    "timings": {"prepare_ms": 9, "first_token_ms": 180, "total_ms": 3100}}))]
pub struct Done {
    /// The conversation the answer belongs to (new or continued).
    pub conversation_id: Uuid,
    /// The stored answer.
    pub message_id: Uuid,
    /// The passages the answer was grounded in, best first.
    pub sources: Vec<Source>,
    /// The model that answered; `null` for an extractive answer.
    pub model: Option<String>,
    /// True when the creator's model was not on the server and the fallback model answered.
    pub model_fell_back: bool,
    /// The version of the prompt template used (`null` for the built-in).
    pub prompt_version: Option<i32>,
    /// The template used, and the one it stood in for if the chosen one failed to render;
    /// `null` for the holding reply of an escalated message (no prompt was rendered).
    pub template: Option<TemplateUsed>,
    /// True when part of the answer path was unavailable (see `degraded_reason`).
    pub degraded: bool,
    /// What was unavailable: the model (the answer is extractive) or vector search (passages
    /// came from full-text search).
    pub degraded_reason: Option<String>,
    /// True when the message was escalated to the human coach: the answer is the holding reply
    /// (no model was asked) and the conversation is flagged for the coach.
    pub escalated: bool,
    /// Token counts.
    pub usage: Usage,
    /// Timings.
    pub timings: Timings,
}

/// The non-streaming reply: the `done` fields and the whole answer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChatReply {
    /// The answer's text.
    pub answer: String,
    /// Everything the `done` event carries.
    #[serde(flatten)]
    pub done: Done,
}

/// Why no answer is written: the SSE event `held` (`{"conversation_id", "reason"}`) and the
/// non-streaming reply (202) when the coach has taken the conversation over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"conversation_id": "0195f3b0-0000-7000-8000-000000000001",
    "reason": "coach"}))]
pub struct HeldReply {
    /// The conversation; the client's message is stored in it.
    pub conversation_id: Uuid,
    /// Always `coach`: the human coach answers this conversation in person.
    pub reason: String,
}

/// One event of an answer.
#[derive(Debug)]
pub enum ChatEvent {
    /// A piece of the answer's text.
    Token(String),
    /// The answer is complete and stored.
    Done(Box<Done>),
    /// The answer failed after it started; nothing more follows.
    Error(Problem),
}
