//! An Ollama API double for tests: the documented endpoints and JSON shapes, deterministic
//! content, tunable latency and token rate, injectable faults, and a record of what it received.
//!
//! Content rules, so tests can assert on them:
//! - `/api/embed`: [`embed`] — feature hashing of words and trigrams, L2-normalised, as many
//!   dimensions as the model's `embedding_length` (384 for [`Model::embedding`]).
//! - `/api/chat`, `/api/generate`: the prompt (system and message contents joined by newlines)
//!   is cut from the start to `options.num_ctx` tokens ([`count_tokens`]); the answer is
//!   `"From the sources: "` and the first sentence of each `<passage ...>...</passage>` left in
//!   it, or `"No sources were given. You asked: "` and the first 12 words of the last user
//!   message; streamed one word per line. [`OllamaDouble::generations`] records it all.
//! - Unknown models answer 404 `{"error":"model \"x\" not found, try pulling it first"}`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), coachai_ollama_double::StartError> {
//! use coachai_ollama_double::{Config, Fault, OllamaDouble};
//! let double = OllamaDouble::start(Config::default()).await?;
//! double.set_token_rate(Some(20.0));
//! double.set_fault(Fault::Status500);
//! let _base_url = double.url(); // "http://127.0.0.1:PORT"
//! # Ok(()) }
//! ```

mod config;
mod embedding;
mod fault;
mod routes;
mod server;
mod state;
mod stream;
mod text;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

pub use config::{Config, Model, ModelKind, Reply, canonical_name};
pub use embedding::{cosine, embed};
pub use fault::{Endpoint, Fault, FaultRule};
pub use server::StartError;
pub use state::{GenerationRecord, RecordedRequest};
pub use text::count_tokens;

use state::Shared;

/// A running double; it stops (and drops every connection) when this handle is dropped.
#[derive(Debug)]
pub struct OllamaDouble {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl OllamaDouble {
    /// Starts serving on `config.bind` (by default a free port on 127.0.0.1).
    pub async fn start(config: Config) -> Result<Self, StartError> {
        let bind = config.bind;
        let shared = Arc::new(Shared::new(config));
        let (addr, server) = server::start(bind, routes::router(shared.clone())).await?;
        Ok(Self {
            addr,
            shared,
            server,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the double listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Injects `fault` on every endpoint until changed, replacing all faults in force;
    /// `Fault::None` clears them.
    pub fn set_fault(&self, fault: Fault) {
        let mut inner = self.shared.lock();
        inner.faults.clear();
        if fault != Fault::None {
            inner.faults.push(FaultRule::new(fault));
        }
    }

    /// Adds a rule next to those in force: e.g. `FaultRule::new(Fault::Status500)
    /// .on(Endpoint::Embed).times(2)` fails the next two embeddings only.
    pub fn inject(&self, rule: FaultRule) {
        self.shared.lock().faults.push(rule);
    }

    /// Streamed tokens (and pull progress lines) per second; `None` sends them unpaced.
    /// A non-streamed answer waits as long as its stream would have taken.
    pub fn set_token_rate(&self, tokens_per_second: Option<f64>) {
        self.shared.lock().token_rate = tokens_per_second;
    }

    /// Delay before the first byte of every response.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// What chat and generate answer from now on.
    pub fn set_reply(&self, reply: Reply) {
        self.shared.lock().reply = reply;
    }

    /// Installs `model` (replacing one of the same name), as if it had been pulled.
    pub fn add_model(&self, model: Model) {
        self.shared.lock().install(model);
    }

    /// Makes `model` available to `/api/pull` without installing it.
    pub fn add_to_registry(&self, model: Model) {
        self.shared.lock().registry.push(model);
    }

    /// Removes the installed model `name` names; says whether there was one.
    pub fn remove_model(&self, name: &str) -> bool {
        let name = canonical_name(name);
        let mut inner = self.shared.lock();
        let before = inner.models.len();
        inner.models.retain(|m| m.name != name);
        inner.models.len() != before
    }

    /// Canonical names (`name:tag`) of the installed models, in installation order.
    pub fn models(&self) -> Vec<String> {
        self.shared
            .lock()
            .models
            .iter()
            .map(|m| m.name.clone())
            .collect()
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// The requests received so far on one endpoint.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<RecordedRequest> {
        let inner = self.shared.lock();
        let matching = inner.requests.iter().filter(|r| r.endpoint == endpoint);
        matching.cloned().collect()
    }

    /// Every chat and generate answered so far: the prompt that reached the model,
    /// `num_ctx`, truncation, passages and reply.
    pub fn generations(&self) -> Vec<GenerationRecord> {
        self.shared.lock().generations.clone()
    }

    /// Forgets the recorded requests and generations.
    pub fn clear_records(&self) {
        let mut inner = self.shared.lock();
        inner.requests.clear();
        inner.generations.clear();
    }

    /// Streams being sent right now.
    pub fn active_streams(&self) -> usize {
        self.shared.active_streams()
    }

    /// Streams the client abandoned before their last line (the server dropped the body).
    pub fn cancelled_streams(&self) -> usize {
        self.shared.cancelled_streams()
    }

    /// Streams that sent their last line.
    pub fn completed_streams(&self) -> usize {
        self.shared.completed_streams()
    }

    /// Streams the double broke on purpose ([`Fault::ResetAfterLines`]).
    pub fn aborted_streams(&self) -> usize {
        self.shared.aborted_streams()
    }

    /// Waits until at least `count` streams were cancelled; false when `timeout` passes first.
    /// The server notices a gone client only when it next writes, so allow a token interval.
    pub async fn wait_for_cancelled(&self, count: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.cancelled_streams() < count {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }
}

impl Drop for OllamaDouble {
    fn drop(&mut self) {
        self.server.abort();
    }
}
