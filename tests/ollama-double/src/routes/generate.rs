//! `/api/chat` and `/api/generate`: a grounded, deterministic answer, streamed word by word.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Injected, now, pace, parse};
use crate::config::ModelKind;
use crate::fault::Endpoint;
use crate::state::{GenerationRecord, Shared};
use crate::stream::ndjson;
use crate::text::{compose_reply, fit_context, passages, stream_pieces};

#[derive(Debug, Default, Deserialize)]
struct Options {
    num_ctx: Option<u64>,
    num_predict: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Message {
    role: String,
    #[serde(default)]
    content: String,
}

#[derive(Debug, Deserialize)]
struct ChatRequest {
    model: String,
    #[serde(default)]
    messages: Vec<Message>,
    stream: Option<bool>,
    options: Option<Options>,
}

#[derive(Debug, Deserialize)]
struct GenerateRequest {
    model: String,
    #[serde(default)]
    prompt: String,
    system: Option<String>,
    stream: Option<bool>,
    options: Option<Options>,
}

/// One generation request, whichever endpoint it came through.
struct Ask {
    endpoint: Endpoint,
    model: String,
    prompt: String,
    last_user: String,
    options: Options,
    stream: bool,
}

pub(super) async fn chat(
    State(shared): State<Arc<Shared>>,
    Extension(injected): Extension<Injected>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: ChatRequest = parse(&body)?;
    let contents: Vec<&str> = request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    let last_user = request.messages.iter().rev().find(|m| m.role == "user");
    let ask = Ask {
        endpoint: Endpoint::Chat,
        prompt: contents.join("\n"),
        last_user: last_user.map(|m| m.content.clone()).unwrap_or_default(),
        model: request.model,
        options: request.options.unwrap_or_default(),
        stream: request.stream.unwrap_or(true),
    };
    answer(shared, injected, ask).await
}

pub(super) async fn generate(
    State(shared): State<Arc<Shared>>,
    Extension(injected): Extension<Injected>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request: GenerateRequest = parse(&body)?;
    let prompt = match &request.system {
        Some(system) => format!("{system}\n{}", request.prompt),
        None => request.prompt.clone(),
    };
    let ask = Ask {
        endpoint: Endpoint::Generate,
        prompt,
        last_user: request.prompt,
        model: request.model,
        options: request.options.unwrap_or_default(),
        stream: request.stream.unwrap_or(true),
    };
    answer(shared, injected, ask).await
}

async fn answer(shared: Arc<Shared>, injected: Injected, ask: Ask) -> Result<Response, ApiError> {
    let (record, cut) = think(&shared, &ask)?;
    let pace = pace(&shared, injected);
    let done_reason = if cut { "length" } else { "stop" };
    let step = if pace.interval.is_zero() {
        Duration::from_millis(1)
    } else {
        pace.interval
    };
    let eval_ns = step.as_nanos() * u128::from(record.completion_tokens);
    let prompt_ns = 100_000 * u128::from(record.prompt_tokens);
    let finale = json!({
        "model": ask.model,
        "created_at": now(),
        "done": true,
        "done_reason": done_reason,
        "total_duration": 1_000_000 + prompt_ns + eval_ns,
        "load_duration": 1_000_000,
        "prompt_eval_count": record.prompt_tokens,
        "prompt_eval_duration": prompt_ns,
        "eval_count": record.completion_tokens,
        "eval_duration": eval_ns,
    });
    if !ask.stream {
        let pieces = u32::try_from(record.completion_tokens).unwrap_or(u32::MAX);
        tokio::time::sleep(pace.interval * pieces).await;
        return Ok(Json(with_text(finale, ask.endpoint, &record.reply)).into_response());
    }
    let (pieces, _) = stream_pieces(&record.reply, None);
    let mut lines: Vec<Value> = pieces
        .iter()
        .map(|piece| {
            let chunk = json!({ "model": ask.model, "created_at": now(), "done": false });
            with_text(chunk, ask.endpoint, piece)
        })
        .collect();
    lines.push(with_text(finale, ask.endpoint, ""));
    Ok(ndjson(shared.clone(), lines, pace, None))
}

/// Runs the "model" on `ask`, records what reached it, and says whether `num_predict` cut it.
fn think(shared: &Shared, ask: &Ask) -> Result<(GenerationRecord, bool), ApiError> {
    let mut inner = shared.lock();
    let installed = inner
        .installed(&ask.model)
        .ok_or_else(|| ApiError::ModelNotFound(ask.model.clone()))?;
    if installed.model.kind != ModelKind::Completion {
        let what = if ask.endpoint == Endpoint::Chat {
            "chat"
        } else {
            "generate"
        };
        let model = ask.model.clone();
        return Err(ApiError::Unsupported { model, what });
    }
    let num_ctx = ask.options.num_ctx.unwrap_or(inner.default_num_ctx);
    let fitted = fit_context(&ask.prompt, num_ctx);
    let found = passages(&fitted.prompt, &inner.passage_tag);
    let full = compose_reply(&inner.reply, &found, &ask.last_user);
    let (pieces, cut) = stream_pieces(&full, ask.options.num_predict);
    let record = GenerationRecord {
        endpoint: ask.endpoint,
        model: ask.model.clone(),
        prompt: fitted.prompt,
        prompt_tokens: fitted.tokens,
        num_ctx: ask.options.num_ctx,
        truncated: fitted.truncated,
        passages: found,
        reply: pieces.concat(),
        completion_tokens: u64::try_from(pieces.len()).unwrap_or(u64::MAX),
    };
    inner.generations.push(record.clone());
    Ok((record, cut))
}

/// `chunk` with its text where the endpoint puts it: `message.content` or `response`.
fn with_text(mut chunk: Value, endpoint: Endpoint, text: &str) -> Value {
    if endpoint == Endpoint::Chat {
        chunk["message"] = json!({ "role": "assistant", "content": text });
    } else {
        chunk["response"] = json!(text);
    }
    chunk
}
