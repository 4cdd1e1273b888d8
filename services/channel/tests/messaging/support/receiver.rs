//! A local HTTP receiver for the Channel's outbound requests: Telegram's `sendMessage` and
//! webhook destinations. It records every request and answers as its [`Mode`] says.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::Value;

use super::served::Served;

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Takes the request (recorded) and answers 200.
    Up,
    /// Answers 503 (the attempt is recorded, nothing is taken).
    Failing,
    /// Takes the request (recorded), then answers 200 only after this long.
    SlowAfterTaking(Duration),
    /// Holds the request for a minute without taking it.
    Hanging,
}

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Its path.
    pub path: String,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its raw body.
    pub body: Bytes,
    /// When it arrived.
    pub at: Instant,
}

impl Request {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Shared {
    mode: Mutex<Option<Mode>>,
    attempts: Mutex<Vec<Request>>,
    taken: Mutex<Vec<Request>>,
}

/// A running receiver.
pub struct Receiver {
    /// Where it listens.
    pub served: Served,
    shared: Arc<Shared>,
}

impl Receiver {
    /// A receiver in `mode`.
    pub async fn start(mode: Mode) -> Self {
        let shared = Arc::new(Shared::default());
        *shared.mode.lock().unwrap() = Some(mode);
        let router = Router::new().fallback(receive).with_state(shared.clone());
        Self {
            served: Served::start(router).await,
            shared,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// Answers as `mode` from now on.
    pub fn set(&self, mode: Mode) {
        *self.shared.mode.lock().unwrap() = Some(mode);
    }

    /// Every request so far, taken or not.
    pub fn attempts(&self) -> Vec<Request> {
        self.shared.attempts.lock().unwrap().clone()
    }

    /// The requests it took.
    pub fn taken(&self) -> Vec<Request> {
        self.shared.taken.lock().unwrap().clone()
    }

    /// The Telegram messages it took for `chat`.
    pub fn telegram_texts(&self, chat: i64) -> Vec<String> {
        self.taken()
            .iter()
            .map(Request::json)
            .filter(|m| m["chat_id"] == chat)
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect()
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let request = Request {
        path: uri.path().to_owned(),
        headers,
        body,
        at: Instant::now(),
    };
    shared.attempts.lock().unwrap().push(request.clone());
    let mode = shared.mode.lock().unwrap().unwrap_or(Mode::Up);
    match mode {
        Mode::Up => {
            shared.taken.lock().unwrap().push(request);
            StatusCode::OK
        }
        Mode::Failing => StatusCode::SERVICE_UNAVAILABLE,
        Mode::SlowAfterTaking(delay) => {
            shared.taken.lock().unwrap().push(request);
            tokio::time::sleep(delay).await;
            StatusCode::OK
        }
        Mode::Hanging => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
