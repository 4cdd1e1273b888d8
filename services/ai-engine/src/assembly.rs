//! How the engine is put together from its configuration: the settings only the AI Engine reads
//! (environment variables, with defaults), the chat engine, the model registry and the embedding
//! worker, and the background tasks a running service starts.

use std::sync::Arc;
use std::time::Duration;

use coachai_common::config::{ConfigError, load};
use coachai_common::ratelimit::RateLimiter;
use coachai_common::state::CoreState;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::Config;
use crate::breaker::Breaker;
use crate::chat::{ChatEngine, ChatOptions};
use crate::ollama::OllamaClient;
use crate::registry::{ModelRegistry, RegistryOptions};
use crate::vectors::VectorStore;
use crate::worker::{Worker, WorkerOptions};

/// The AI Engine's own settings, from the environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineSettings {
    /// `CHAT_FALLBACK_MODEL`: answers when a creator's model is not on the server (empty: none).
    pub chat_fallback_model: String,
    /// `CHAT_CONTEXT_CAP`: the largest `num_ctx` sent to Ollama.
    pub chat_context_cap: u32,
    /// `CHAT_FIRST_TOKEN_SECS`: how long to wait for the model's first token.
    pub chat_first_token_secs: u64,
    /// `EMBED_WORKERS`: embedding workers in this process (0: none).
    pub embed_workers: u32,
    /// `OLLAMA_BREAKER_SECS`: after three failed answers in a row, how long the model is not
    /// asked (answers are extractive meanwhile).
    pub ollama_breaker_secs: u64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            chat_fallback_model: String::new(),
            chat_context_cap: 4096,
            chat_first_token_secs: 30,
            embed_workers: 1,
            ollama_breaker_secs: 30,
        }
    }
}

impl EngineSettings {
    /// The settings of this process's environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        load()
    }

    /// The chat options they describe.
    pub fn chat_options(&self) -> ChatOptions {
        let fallback = self.chat_fallback_model.trim();
        ChatOptions {
            context_cap: self.chat_context_cap.max(512),
            first_token: Duration::from_secs(self.chat_first_token_secs.max(1)),
            fallback_model: (!fallback.is_empty()).then(|| fallback.to_owned()),
            ..ChatOptions::default()
        }
    }
}

/// Why the engine could not be assembled.
#[derive(Debug, thiserror::Error)]
#[error("the AI Engine cannot be assembled: {0}")]
pub struct AssemblyError(String);

/// The engine's shared parts.
pub struct Engine {
    /// Which models Ollama has.
    pub registry: Arc<ModelRegistry>,
    /// Answers chats.
    pub chat: Arc<ChatEngine>,
    /// Embeds content (cloned per worker task).
    pub worker: Worker,
    /// The settings it was built from.
    pub settings: EngineSettings,
}

impl Engine {
    /// Builds every part over `state` with `registry`; nothing is started.
    pub fn with_registry(
        state: &CoreState,
        config: &Config,
        registry: Arc<ModelRegistry>,
        settings: EngineSettings,
    ) -> Result<Self, AssemblyError> {
        let url = &config.common.ollama_url;
        let error = |e: &dyn std::fmt::Display| AssemblyError(e.to_string());
        let vectors = VectorStore::from_config(&config.common).map_err(|e| error(&e))?;
        let chat = ChatEngine {
            db: state.db.clone(),
            cache: state.cache.clone(),
            limiter: Arc::new(RateLimiter::new(&config.common.redis_url)),
            generator: OllamaClient::streaming(url, Duration::from_secs(60))
                .map_err(|e| error(&e))?,
            embedder: OllamaClient::new(url, Duration::from_secs(5)).map_err(|e| error(&e))?,
            vectors: vectors.clone(),
            registry: registry.clone(),
            breaker: Arc::new(Breaker::new(
                3,
                Duration::from_secs(settings.ollama_breaker_secs.max(1)),
            )),
            options: settings.chat_options(),
        };
        let embedder = OllamaClient::new(url, Duration::from_secs(120)).map_err(|e| error(&e))?;
        let worker = Worker::new(
            state.db.clone(),
            embedder,
            vectors,
            WorkerOptions::default(),
        );
        Ok(Self {
            registry,
            chat: Arc::new(chat),
            worker,
            settings,
        })
    }

    /// Builds every part, with a registry of the configured Ollama.
    pub fn build(state: &CoreState, config: &Config) -> Result<Self, AssemblyError> {
        let settings = EngineSettings::from_env().map_err(|e| AssemblyError(e.to_string()))?;
        let registry = ModelRegistry::new(
            &state.db,
            state.cache.clone(),
            &config.common.ollama_url,
            RegistryOptions::default(),
        )
        .map_err(|e| AssemblyError(e.to_string()))?;
        Self::with_registry(state, config, Arc::new(registry), settings)
    }

    /// Starts the registry's refresher and the embedding workers on the current runtime.
    pub fn start_background(&self, shutdown: &CancellationToken) {
        self.registry.spawn_refresher();
        for _ in 0..self.settings.embed_workers {
            tokio::spawn(self.worker.clone().run(shutdown.clone()));
        }
    }
}
