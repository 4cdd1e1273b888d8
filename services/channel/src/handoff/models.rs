//! What the handoff routes take and answer.

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::protocol::HandoffState;

/// Conversations per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// Most conversations per page.
pub const MAX_LIMIT: u32 = 100;

/// `GET /conversations`: filters and the page.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: only conversations that need the coach's attention; `false`: only the others.
    pub attention: Option<bool>,
    /// Only conversations answered by `ai` or by the `coach`.
    #[param(value_type = Option<String>, example = "coach")]
    pub state: Option<HandoffState>,
    /// 1–100, default 20.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A conversation as the coach's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
    "user_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a09", "channel": "web",
    "title": "I have chest pain after squats", "handled_by": "ai", "handled_by_user": null,
    "attention": "escalation", "attention_at": "2026-11-27T09:15:01Z",
    "created_at": "2026-11-27T09:15:00Z", "updated_at": "2026-11-27T09:15:01Z"}))]
pub struct CoachConversation {
    /// The conversation.
    pub id: Uuid,
    /// The client it belongs to.
    pub user_id: Uuid,
    /// Where it takes place (`web`, `telegram`, ...).
    pub channel: String,
    /// The start of its first client message.
    pub title: Option<String>,
    /// Who answers it: `ai` or `coach`.
    #[schema(value_type = String, example = "coach")]
    pub handled_by: HandoffState,
    /// The staff user who took it over, while the coach handles it.
    pub handled_by_user: Option<Uuid>,
    /// Why it needs the coach (`escalation`: a message matched an escalation topic or the
    /// safety list); `null` when it does not.
    pub attention: Option<String>,
    /// When it started to need attention.
    pub attention_at: Option<DateTime<Utc>>,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When its last message was written.
    pub updated_at: DateTime<Utc>,
}

/// One page of the coach's list, newest attention (or activity) first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoachConversationPage {
    /// The conversations of this page.
    pub items: Vec<CoachConversation>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `POST /conversations/{id}/handoff`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "coach"}))]
pub struct HandoffRequest {
    /// `coach`: the coach takes over and the AI stops answering; `ai`: hand back to the AI.
    #[schema(value_type = String, example = "coach")]
    #[garde(skip)]
    pub state: HandoffState,
}

/// `POST /conversations/{id}/messages`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "I'll call you at six to go through it."}))]
pub struct CoachMessage {
    /// 1–4,000 characters, not only whitespace.
    #[garde(length(chars, min = 1, max = super::MAX_REPLY_CHARS), custom(not_blank))]
    pub text: String,
}

fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() {
        return Err(garde::Error::new("must not be only whitespace"));
    }
    Ok(())
}

/// The coach's stored reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CoachReply {
    /// The stored message (role `coach`).
    pub message_id: Uuid,
    /// The conversation.
    pub conversation_id: Uuid,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}
