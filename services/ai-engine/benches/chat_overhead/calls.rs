//! The two calls the bench times from their start: a streaming chat through the engine's router
//! (in-process or over a loopback socket) to its first `token` event, and a streaming chat
//! straight to Ollama with `ollama-rs` (the client the engine uses) to its first non-empty chunk.
//! Both are read to their end, so every answer is complete and checked.

use std::fmt::Display;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::Request;
use futures::{Stream, StreamExt};
use ollama_rs::Ollama;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::models::ModelOptions;
use serde_json::{Value, json};
use tower::ServiceExt;

/// What every chat asks.
pub const QUESTION: &str = "How should I breathe during a kettlebell swing?";

/// How requests reach the engine.
#[derive(Clone)]
pub enum Transport {
    /// `tower::ServiceExt::oneshot` on the router: no socket, no HTTP parsing.
    InProcess(Router),
    /// HTTP/1.1 over loopback to the router served by `axum::serve`, as a gateway calls it.
    Socket {
        /// A pooled client.
        client: reqwest::Client,
        /// `http://127.0.0.1:PORT/api/v1/ai/chat`.
        url: String,
    },
}

/// One streamed answer: when its first token and its end arrived, and how many tokens it had.
#[derive(Debug, Clone)]
pub struct Answer {
    /// From the start of the call to the first token.
    pub first_token: Duration,
    /// From the start of the call to the last token.
    pub last_token: Duration,
    /// Tokens (events or chunks with text) received.
    pub tokens: u64,
    /// The engine's `done` event, or Ollama's final counts.
    pub last: Value,
}

impl Answer {
    /// Tokens per second between the first and the last token, as a reader sees them arrive.
    pub fn tokens_per_second(&self) -> f64 {
        let streaming = self
            .last_token
            .saturating_sub(self.first_token)
            .as_secs_f64();
        (self.tokens.saturating_sub(1)) as f64 / streaming
    }
}

impl Transport {
    /// Asks [`QUESTION`] as the holder of `token`, streamed, and reads the answer to `done`.
    pub async fn chat(&self, token: &str) -> Result<Answer, String> {
        let body = json!({"message": QUESTION, "stream": true}).to_string();
        let started = Instant::now();
        match self {
            Self::InProcess(router) => {
                let request = Request::post("/api/v1/ai/chat")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .map_err(|e| e.to_string())?;
                let response = router
                    .clone()
                    .oneshot(request)
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    let status = response.status();
                    let body = axum::body::to_bytes(response.into_body(), 1 << 16).await;
                    let body = body.map(|b| String::from_utf8_lossy(&b).into_owned());
                    return Err(format!("the engine answered {status}: {body:?}"));
                }
                read_events(started, response.into_body().into_data_stream()).await
            }
            Self::Socket { client, url } => {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    let status = response.status();
                    let body = response.text().await;
                    return Err(format!("the engine answered {status}: {body:?}"));
                }
                read_events(started, response.bytes_stream()).await
            }
        }
    }
}

/// Reads server-sent events until `done`; an `error` event or a stream without `done` fails.
async fn read_events<E: Display>(
    started: Instant,
    mut chunks: impl Stream<Item = Result<Bytes, E>> + Unpin,
) -> Result<Answer, String> {
    let mut buffer: Vec<u8> = Vec::new();
    let mut first_token = None;
    let mut last_token = Duration::ZERO;
    let mut tokens = 0;
    while let Some(chunk) = chunks.next().await {
        buffer.extend_from_slice(&chunk.map_err(|e| e.to_string())?);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buffer.drain(..end + 2).collect();
            let block = String::from_utf8_lossy(&block);
            match field(&block, "event").as_str() {
                "token" => {
                    last_token = started.elapsed();
                    first_token.get_or_insert(last_token);
                    tokens += 1;
                }
                "done" => {
                    let last = serde_json::from_str(&field(&block, "data"))
                        .map_err(|e| format!("a done event that is not JSON: {e}"))?;
                    return Ok(Answer {
                        first_token: first_token.ok_or("done came before any token")?,
                        last_token,
                        tokens,
                        last,
                    });
                }
                "error" => return Err(format!("the engine sent an error: {block}")),
                _ => {}
            }
        }
    }
    Err("the event stream ended without done".into())
}

fn field(block: &str, name: &str) -> String {
    let prefix = format!("{name}:");
    block
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A streaming chat straight to Ollama.
#[derive(Clone)]
pub struct Direct {
    /// The client, one for all calls (as the engine has one).
    pub ollama: Ollama,
    /// The chat model.
    pub model: String,
    /// The messages of every call.
    pub messages: Vec<ChatMessage>,
    /// Model options (`num_ctx`, `num_predict`), or Ollama's defaults.
    pub options: Option<ModelOptions>,
}

impl Direct {
    /// Streams one answer and reads it to its final chunk.
    pub async fn chat(&self) -> Result<Answer, String> {
        let mut request = ChatMessageRequest::new(self.model.clone(), self.messages.clone());
        if let Some(options) = self.options.clone() {
            request = request.options(options);
        }
        let started = Instant::now();
        let mut stream = self
            .ollama
            .send_chat_messages_stream(request)
            .await
            .map_err(|e| e.to_string())?;
        let mut first_token = None;
        let mut last_token = Duration::ZERO;
        let mut tokens = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|()| "the Ollama stream broke".to_owned())?;
            if !chunk.message.content.is_empty() {
                last_token = started.elapsed();
                first_token.get_or_insert(last_token);
                tokens += 1;
            }
            if let Some(data) = chunk.final_data {
                return Ok(Answer {
                    first_token: first_token.ok_or("Ollama finished without a token")?,
                    last_token,
                    tokens,
                    last: json!({
                        "prompt_tokens": data.prompt_eval_count,
                        "eval_count": data.eval_count,
                        "eval_duration": data.eval_duration,
                        "load_duration": data.load_duration,
                    }),
                });
            }
        }
        Err("the Ollama stream ended without its final chunk".into())
    }
}
