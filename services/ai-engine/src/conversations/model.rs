//! What the conversation routes answer, and the message roles and metadata the chat path
//! records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Conversations per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// Most conversations per page.
pub const MAX_LIMIT: u32 = 100;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    /// The person chatting.
    User,
    /// The AI coach.
    Assistant,
    /// Instructions recorded with the conversation.
    System,
    /// The human coach, replying in person after taking the conversation over.
    Coach,
}

impl MessageRole {
    /// The role as stored in `messages.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::System => "system",
            Self::Coach => "coach",
        }
    }

    /// The role stored as `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::User, Self::Assistant, Self::System, Self::Coach]
            .into_iter()
            .find(|r| r.as_str() == name)
    }
}

/// What the chat path records with a message besides its text.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageMeta {
    /// The model that answered.
    pub model: Option<String>,
    /// The prompt template that was rendered.
    pub template_id: Option<Uuid>,
    /// Its version.
    pub template_version: Option<i32>,
    /// True for an extractive answer given while Ollama was unavailable.
    pub degraded: bool,
    /// The sources of the answer, a JSON array (`content_id`, `title`, `chunk`, `score`).
    pub sources: serde_json::Value,
}

impl Default for MessageMeta {
    fn default() -> Self {
        Self {
            model: None,
            template_id: None,
            template_version: None,
            degraded: false,
            sources: serde_json::Value::Array(Vec::new()),
        }
    }
}

/// One earlier turn, as the chat path puts it back into a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who wrote it.
    pub role: MessageRole,
    /// What was written.
    pub body: String,
}

/// A conversation in the listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03", "channel": "web",
    "title": "How do I warm up before squats?", "message_count": 4,
    "created_at": "2026-11-27T09:15:00Z", "updated_at": "2026-11-27T09:17:42Z"}))]
pub struct ConversationSummary {
    /// The conversation's id.
    pub id: Uuid,
    /// Where it took place (`web`, `websocket`, `telegram`, ...).
    pub channel: String,
    /// The start of its first user message, if any.
    pub title: Option<String>,
    /// Messages in it.
    pub message_count: i64,
    /// When it started; the listing's order.
    pub created_at: DateTime<Utc>,
    /// When its last message was written.
    pub updated_at: DateTime<Utc>,
}

/// One page of the caller's conversations, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
    "channel": "web", "title": "How do I warm up before squats?", "message_count": 4,
    "created_at": "2026-11-27T09:15:00Z", "updated_at": "2026-11-27T09:17:42Z"}],
    "next_cursor": "eyJ0IjoiMjAyNi0xMS0yN1QwOToxNTowMFoiLCJpZCI6IjAxOTVmM2EyIn0"}))]
pub struct ConversationPage {
    /// The conversations of this page.
    pub items: Vec<ConversationSummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A message as the conversation shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// The message's id.
    pub id: Uuid,
    /// Who wrote it.
    pub role: MessageRole,
    /// Its text.
    pub body: String,
    /// The model that answered (assistant messages).
    pub model: Option<String>,
    /// The prompt template that was rendered (assistant messages).
    pub template_id: Option<Uuid>,
    /// Its version.
    pub template_version: Option<i32>,
    /// True for an extractive answer given while Ollama was unavailable.
    pub degraded: bool,
    /// Where the answer came from.
    #[schema(value_type = Vec<Object>)]
    pub sources: serde_json::Value,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// A conversation with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03", "channel": "web",
    "title": "How do I warm up before squats?", "message_count": 2,
    "created_at": "2026-11-27T09:15:00Z", "updated_at": "2026-11-27T09:15:04Z",
    "messages": [
        {"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a04", "role": "user",
         "body": "How do I warm up before squats?", "model": null, "template_id": null,
         "template_version": null, "degraded": false, "sources": [],
         "created_at": "2026-11-27T09:15:00Z"},
        {"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a05", "role": "assistant",
         "body": "From the sources: start with five minutes of easy cardio.",
         "model": "smollm2:135m", "template_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a06",
         "template_version": 3, "degraded": false,
         "sources": [{"content_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a07",
             "title": "Warm-up basics", "chunk": 0, "score": 0.82}],
         "created_at": "2026-11-27T09:15:04Z"}]}))]
pub struct ConversationDetail {
    /// The conversation.
    #[serde(flatten)]
    pub summary: ConversationSummary,
    /// Its messages, oldest first.
    pub messages: Vec<Message>,
}

/// The position and size of one page of the listing.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<u32>,
}
