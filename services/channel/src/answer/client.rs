//! The HTTP client of the AI Engine's chat stream and the meaning of its answers.

use std::time::Duration;

use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use sse_stream::SseStream;
use uuid::Uuid;

use crate::protocol::{ErrorCode, EventKind, HandoffState, Source};

/// How long connecting to the AI Engine may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the AI Engine may take to accept a question (its `prepare`), headers included.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(30);

/// One event of an answer, as the AI Engine streams it.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerEvent {
    /// The question is stored in this conversation.
    Start(Uuid),
    /// The answer is being written; the event for the client.
    Event(EventKind),
}

/// The AI Engine did not take the question (or broke off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What the client is told.
    pub code: ErrorCode,
    /// Why, in words.
    pub detail: String,
}

#[derive(Deserialize)]
struct Start {
    conversation_id: Uuid,
}

#[derive(Deserialize)]
struct Done {
    message_id: Uuid,
    #[serde(default)]
    sources: Vec<Source>,
    model: Option<String>,
    #[serde(default)]
    degraded: bool,
    #[serde(default)]
    escalated: bool,
}

#[derive(Deserialize)]
struct Token {
    text: String,
}

/// The AI Engine at a base URL.
#[derive(Clone)]
pub struct AiEngine {
    http: reqwest::Client,
    chat_url: String,
}

impl AiEngine {
    /// A client of the AI Engine at `base_url` (`http://host:8003`).
    pub fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            http,
            chat_url: format!("{}/api/v1/ai/chat", base_url.trim_end_matches('/')),
        }
    }

    /// Asks `text` in `conversation` (a new one when `None`) as the owner of `credential`.
    pub async fn ask(
        &self,
        credential: &str,
        request_id: &str,
        text: &str,
        conversation: Option<Uuid>,
    ) -> Result<impl Stream<Item = Result<AnswerEvent, Refusal>> + use<>, Refusal> {
        let body =
            serde_json::json!({"message": text, "conversation_id": conversation, "stream": true});
        let sent = self
            .http
            .post(&self.chat_url)
            .bearer_auth(credential)
            .header("x-request-id", request_id)
            .header("accept", "text/event-stream")
            .json(&body)
            .send();
        let response = tokio::time::timeout(ACCEPT_TIMEOUT, sent)
            .await
            .map_err(|_| unavailable("the AI Engine did not accept the question within 30 s"))?
            .map_err(|e| unavailable(&format!("the AI Engine is unreachable: {e}")))?;
        if !response.status().is_success() {
            return Err(refusal(response).await);
        }
        let events = SseStream::from_bytes_stream(response.bytes_stream());
        Ok(events.filter_map(|item| async move {
            match item {
                Ok(sse) => interpret(sse.event.as_deref(), sse.data.as_deref()).transpose(),
                Err(e) => Some(Err(unavailable(&format!("the answer broke off: {e}")))),
            }
        }))
    }
}

/// The meaning of one server-sent event; `None` for a keep-alive comment.
pub fn interpret(name: Option<&str>, data: Option<&str>) -> Result<Option<AnswerEvent>, Refusal> {
    if name.is_none() && data.is_none() {
        return Ok(None);
    }
    event(name, data.unwrap_or_default()).map(Some)
}

fn event(name: Option<&str>, data: &str) -> Result<AnswerEvent, Refusal> {
    let malformed = |_| unavailable("the AI Engine sent an event this service cannot read");
    match name {
        Some("start") => {
            let start: Start = serde_json::from_str(data).map_err(malformed)?;
            Ok(AnswerEvent::Start(start.conversation_id))
        }
        Some("token") => {
            let token: Token = serde_json::from_str(data).map_err(malformed)?;
            Ok(AnswerEvent::Event(EventKind::Token { text: token.text }))
        }
        Some("done") => {
            let done: Done = serde_json::from_str(data).map_err(malformed)?;
            Ok(AnswerEvent::Event(EventKind::Done {
                message_id: done.message_id,
                sources: done.sources,
                model: done.model,
                degraded: done.degraded,
                escalated: done.escalated,
            }))
        }
        // The coach handles the conversation: no answer comes, the client learns who answers.
        Some("held") => Ok(AnswerEvent::Event(EventKind::Handoff {
            state: HandoffState::Coach,
        })),
        Some("error") => Err(unavailable(&detail_of(data))),
        _ => Err(unavailable(
            "the AI Engine sent an event this service does not know",
        )),
    }
}

fn unavailable(detail: &str) -> Refusal {
    Refusal {
        code: ErrorCode::Unavailable,
        detail: detail.to_owned(),
    }
}

fn detail_of(data: &str) -> String {
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("detail").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "the answer failed".to_owned())
}

/// What an HTTP refusal of the AI Engine means for the client.
async fn refusal(response: reqwest::Response) -> Refusal {
    let status = response.status().as_u16();
    let detail = detail_of(&response.text().await.unwrap_or_default());
    let code = match status {
        401 | 403 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        413 | 422 => ErrorCode::InvalidField,
        429 => ErrorCode::RateLimited,
        _ => ErrorCode::Unavailable,
    };
    Refusal { code, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_events_become_the_clients() {
        let id = Uuid::new_v4();
        let start = event(Some("start"), &format!(r#"{{"conversation_id":"{id}"}}"#));
        assert_eq!(start, Ok(AnswerEvent::Start(id)));
        let token = event(Some("token"), r#"{"text":"Exhale"}"#);
        assert_eq!(
            token,
            Ok(AnswerEvent::Event(EventKind::Token {
                text: "Exhale".into()
            }))
        );
        let done = event(
            Some("done"),
            &format!(
                r#"{{"message_id":"{id}","sources":[],"model":null,"degraded":true,"usage":{{}}}}"#
            ),
        )
        .unwrap();
        assert!(matches!(
            done,
            AnswerEvent::Event(EventKind::Done {
                degraded: true,
                model: None,
                ..
            })
        ));
    }

    #[test]
    fn a_held_answer_tells_the_client_the_coach_answers_and_an_escalated_done_says_so() {
        let held = event(Some("held"), r#"{"conversation_id":null,"reason":"coach"}"#);
        assert_eq!(
            held,
            Ok(AnswerEvent::Event(EventKind::Handoff {
                state: HandoffState::Coach
            }))
        );
        let id = Uuid::new_v4();
        let done = event(
            Some("done"),
            &format!(r#"{{"message_id":"{id}","model":null,"escalated":true}}"#),
        );
        assert!(matches!(
            done,
            Ok(AnswerEvent::Event(EventKind::Done {
                escalated: true,
                ..
            }))
        ));
    }

    #[test]
    fn an_error_event_carries_the_engines_detail() {
        let refusal = event(Some("error"), r#"{"detail":"the model broke off"}"#).unwrap_err();
        assert_eq!(refusal.code, ErrorCode::Unavailable);
        assert_eq!(refusal.detail, "the model broke off");
    }

    #[test]
    fn unreadable_events_are_refusals_not_panics() {
        assert!(interpret(Some("token"), Some("{")).is_err());
        assert!(interpret(Some("surprise"), Some("{}")).is_err());
        assert!(interpret(None, Some("x")).is_err());
    }

    #[test]
    fn keep_alive_comments_are_skipped() {
        assert_eq!(interpret(None, None), Ok(None));
    }
}
