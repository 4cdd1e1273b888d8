//! `POST /api/v1/ai/chat`: a question answered from the creator's material, streamed as
//! server-sent events (`stream: true` or `Accept: text/event-stream`) or returned whole.
//!
//! Any user of the creator may chat (clients and staff); API keys need `chat`. The creator's
//! `requests_per_minute` quota limits chats (429 with `Retry-After`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Extension;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::state::CoreState;
use futures::StreamExt;
use garde::Validate;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::chat::{
    Ask, ChatEngine, ChatEvent, ChatReply, Done, Held, HeldReply, HoldReason, MAX_MESSAGE_CHARS,
    Taken,
};

#[derive(OpenApi)]
#[openapi(tags((name = "chat", description = "Answers grounded in the creator's material")))]
struct ApiDoc;

/// The chat route over `engine`, relative to [`crate::PREFIX`].
pub fn api(state: CoreState, engine: Arc<ChatEngine>) -> OpenApiRouter {
    let chat = require_scope(OpenApiRouter::new().routes(routes!(chat)), Scope::Chat);
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(chat)
        .layer(Extension(engine))
        .with_state(state)
}

/// `POST /chat`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "How should I breathe during a kettlebell swing?",
    "conversation_id": null, "stream": true}))]
pub struct ChatRequest {
    /// 1–4,000 characters, not only whitespace.
    #[garde(length(chars, min = 1, max = MAX_MESSAGE_CHARS), custom(not_blank))]
    pub message: String,
    /// The caller's conversation to continue; a new one when absent.
    #[garde(skip)]
    pub conversation_id: Option<Uuid>,
    /// Stream the answer as server-sent events.
    #[garde(skip)]
    pub stream: Option<bool>,
}

fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() {
        return Err(garde::Error::new("must not be only whitespace"));
    }
    Ok(())
}

/// Answers `message` from the creator's material. Streaming: `start` (`{"conversation_id"}`, the
/// question is stored), `token` events (`{"text"}`), then
/// `done` (the `Done` object) or `error` (a problem document). Otherwise one JSON object: the
/// `done` fields and `answer`. When the model cannot answer, the answer is extractive (quoted
/// passages, worded as such) with `degraded: true`. When the coach has taken the conversation
/// over, `start` is followed by `held` (`{"conversation_id", "reason": "coach"}`) and the stream
/// ends (without streaming: 202 with that object). A message matching the creator's escalation
/// topics or the safety list is answered with the holding reply (`done.escalated: true`, model
/// `null`) and flags the conversation for the coach; the model is not asked.
#[utoipa::path(
    post, path = "/chat", tag = "chat",
    request_body = ChatRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the answer (JSON), or its event stream (`token`, then `done` or `error`)", body = ChatReply,
            example = json!({"answer": "Exhale at the top of every swing [1].", "conversation_id": "0195f3b0-0000-7000-8000-000000000001",
                "message_id": "0195f3b0-0000-7000-8000-000000000002", "sources": [], "model": "smollm2:135m", "model_fell_back": false,
                "prompt_version": 1, "template": {"name": "chat", "version": 1, "source": "global", "fell_back_from": null},
                "degraded": false, "degraded_reason": null, "usage": {"prompt_tokens": 412, "completion_tokens": 57},
                "timings": {"prepare_ms": 9, "first_token_ms": 180, "total_ms": 3100}})),
        (status = 202, description = "the coach handles the conversation: the message is stored and not answered by the AI", body = HeldReply),
        (status = 400, description = "a body that is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "an API key without `chat`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such conversation of the caller", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the message does not fit the model's window", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "an empty or too long message", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "the creator's chat rate limit", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the creator's model is not on the Ollama server (the detail names it)", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn chat(
    principal: Principal,
    Extension(engine): Extension<Arc<ChatEngine>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Response, AppError> {
    let streaming = request.stream.unwrap_or(false) || accepts_events(&headers);
    let ask = Ask {
        message: request.message,
        conversation: request.conversation_id,
    };
    let (sink, events) = mpsc::channel(64);
    let conversation = match engine.prepare(&principal, &ask).await? {
        Taken::Answer(prepared) => {
            let conversation = prepared.conversation.uuid();
            tokio::spawn(engine.answer(*prepared, sink));
            conversation
        }
        Taken::Held(held) if held.reason == HoldReason::Coach => {
            return Ok(coach_holds(&held, streaming));
        }
        Taken::Held(held) => {
            let conversation = held.conversation.uuid();
            tokio::spawn(held.send(sink));
            conversation
        }
    };
    if streaming {
        Ok(stream(conversation, events).into_response())
    } else {
        Ok(collect(events).await)
    }
}

/// The answer to a message in a conversation the coach handles: `start` and `held`, or 202.
fn coach_holds(held: &Held, streaming: bool) -> Response {
    let reply = HeldReply {
        conversation_id: held.conversation.uuid(),
        reason: "coach".to_owned(),
    };
    if !streaming {
        return (StatusCode::ACCEPTED, ApiJson(reply)).into_response();
    }
    let start = serde_json::json!({ "conversation_id": reply.conversation_id });
    let data = serde_json::to_value(&reply).unwrap_or_default();
    let events = [
        Event::default().event("start").data(start.to_string()),
        Event::default().event("held").data(data.to_string()),
    ];
    Sse::new(futures::stream::iter(events.map(Ok::<_, Infallible>))).into_response()
}

fn accepts_events(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"))
}

/// The event stream: `start` (the conversation, known and the question stored before anything
/// is generated), then the answer's events.
fn stream(conversation: Uuid, events: mpsc::Receiver<ChatEvent>) -> impl IntoResponse {
    let start = serde_json::json!({ "conversation_id": conversation });
    let start = Event::default().event("start").data(start.to_string());
    let answer = futures::stream::unfold(events, |mut events| async move {
        let event = events.recv().await?;
        Some((Ok::<_, Infallible>(sse_event(event)), events))
    });
    let events = futures::stream::once(async { Ok(start) }).chain(answer);
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn sse_event(event: ChatEvent) -> Event {
    let (name, data) = match event {
        ChatEvent::Token(text) => ("token", serde_json::json!({ "text": text })),
        ChatEvent::Done(done) => ("done", serde_json::to_value(&*done).unwrap_or_default()),
        ChatEvent::Error(problem) => ("error", serde_json::to_value(&problem).unwrap_or_default()),
    };
    Event::default().event(name).data(data.to_string())
}

/// The whole answer as one JSON object, or the problem that ended it.
async fn collect(mut events: mpsc::Receiver<ChatEvent>) -> Response {
    let mut answer = String::new();
    let mut done: Option<Done> = None;
    while let Some(event) = events.recv().await {
        match event {
            ChatEvent::Token(text) => answer.push_str(&text),
            ChatEvent::Done(last) => done = Some(*last),
            ChatEvent::Error(problem) => return problem_response(&problem),
        }
    }
    match done {
        Some(done) => ApiJson(ChatReply { answer, done }).into_response(),
        None => AppError::internal("the answer ended without a result").into_response(),
    }
}

fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}
