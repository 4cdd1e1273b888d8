//! The double's shared state: models, settings, faults, and what it has received and streamed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::{Config, Model, Reply, canonical_name};
use crate::fault::{Endpoint, FaultTable};
use crate::stream::Ending;

/// One request the double received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// The endpoint the path names.
    pub endpoint: Endpoint,
    /// HTTP method, e.g. `"POST"`.
    pub method: String,
    /// Request path, e.g. `"/api/chat"`.
    pub path: String,
    /// The JSON body, or `Null` when the body was empty or not JSON.
    pub body: serde_json::Value,
}

/// What one chat or generate request put into the "model" and what came out.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRecord {
    /// [`Endpoint::Chat`] or [`Endpoint::Generate`].
    pub endpoint: Endpoint,
    /// The model named in the request.
    pub model: String,
    /// The prompt that reached the model: system and messages joined by newlines, after any
    /// truncation to the context window.
    pub prompt: String,
    /// Prompt tokens counted, after truncation (reported as `prompt_eval_count`).
    pub prompt_tokens: u64,
    /// `options.num_ctx` as the request sent it.
    pub num_ctx: Option<u64>,
    /// Whether the prompt was longer than the context window and lost its start.
    pub truncated: bool,
    /// The passages found in the prompt, in order.
    pub passages: Vec<String>,
    /// The full answer.
    pub reply: String,
    /// Answer tokens (reported as `eval_count`).
    pub completion_tokens: u64,
}

/// A model the double has, with what `/api/tags` reports beyond the model itself.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    pub(crate) model: Model,
    pub(crate) name: String,
    pub(crate) digest: String,
    pub(crate) modified_at: String,
}

impl Installed {
    pub(crate) fn new(model: Model) -> Self {
        let name = canonical_name(&model.name);
        let digest = format!("{:x}", Sha256::digest(name.as_bytes()));
        let modified_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        Self {
            model,
            name,
            digest,
            modified_at,
        }
    }
}

/// Settings a test can change while the double runs.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) models: Vec<Installed>,
    pub(crate) registry: Vec<Model>,
    pub(crate) faults: FaultTable,
    pub(crate) token_rate: Option<f64>,
    pub(crate) latency: Duration,
    pub(crate) default_num_ctx: u64,
    pub(crate) passage_tag: String,
    pub(crate) reply: Reply,
    pub(crate) version: String,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) generations: Vec<GenerationRecord>,
}

impl Inner {
    /// The installed model `name` names, if any.
    pub(crate) fn installed(&self, name: &str) -> Option<&Installed> {
        let name = canonical_name(name);
        self.models.iter().find(|m| m.name == name)
    }

    /// Installs `model`, replacing a model of the same name.
    pub(crate) fn install(&mut self, model: Model) {
        let installed = Installed::new(model);
        self.models.retain(|m| m.name != installed.name);
        self.models.push(installed);
    }

    /// Time between two streamed tokens.
    pub(crate) fn token_interval(&self) -> Duration {
        match self.token_rate {
            Some(rate) if rate > 0.0 && rate.is_finite() => Duration::from_secs_f64(1.0 / rate),
            _ => Duration::ZERO,
        }
    }
}

/// State shared by the handlers and the [`crate::OllamaDouble`] handle.
#[derive(Debug)]
pub(crate) struct Shared {
    inner: Mutex<Inner>,
    active_streams: AtomicUsize,
    cancelled_streams: AtomicUsize,
    completed_streams: AtomicUsize,
    aborted_streams: AtomicUsize,
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        let inner = Inner {
            models: config.models.into_iter().map(Installed::new).collect(),
            registry: config.registry,
            faults: FaultTable::default(),
            token_rate: config.token_rate,
            latency: config.latency,
            default_num_ctx: config.default_num_ctx,
            passage_tag: config.passage_tag,
            reply: config.reply,
            version: config.version,
            requests: Vec::new(),
            generations: Vec::new(),
        };
        Self {
            inner: Mutex::new(inner),
            active_streams: AtomicUsize::new(0),
            cancelled_streams: AtomicUsize::new(0),
            completed_streams: AtomicUsize::new(0),
            aborted_streams: AtomicUsize::new(0),
        }
    }

    /// The state; a panicking test thread cannot poison it for the others.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn stream_started(&self) {
        self.active_streams.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn stream_ended(&self, ending: Ending) {
        self.active_streams.fetch_sub(1, Ordering::SeqCst);
        let counter = match ending {
            Ending::Completed => &self.completed_streams,
            Ending::Cancelled => &self.cancelled_streams,
            Ending::Aborted => &self.aborted_streams,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn active_streams(&self) -> usize {
        self.active_streams.load(Ordering::SeqCst)
    }

    pub(crate) fn cancelled_streams(&self) -> usize {
        self.cancelled_streams.load(Ordering::SeqCst)
    }

    pub(crate) fn completed_streams(&self) -> usize {
        self.completed_streams.load(Ordering::SeqCst)
    }

    pub(crate) fn aborted_streams(&self) -> usize {
        self.aborted_streams.load(Ordering::SeqCst)
    }
}
