//! The model registry: what the Ollama server has installed, kept in the `models` table and
//! read through the shared stampede-safe cache.
//!
//! [`ModelRegistry::refresh`] lists Ollama's models (`/api/tags`, `/api/show`), records them
//! `available` with digest, family, size, quantization, context length and capabilities, and
//! marks the rows Ollama no longer lists `missing`; the service refreshes at start and every
//! [`RegistryOptions::refresh_every`]. Reads ([`ModelRegistry::models`], and through it
//! [`ModelRegistry::resolve_chat_model`] on every chat) come from the cache, which every refresh
//! and pull invalidates. The cache is keyed per tenant, so the registry, which belongs to no
//! tenant, lives under the nil creator id, which no tenant can have.

mod error;
pub mod model;
mod ollama;
mod pull;
mod store;

use std::sync::Arc;
use std::time::Duration;

use coachai_common::cache::Cache;
use coachai_common::tenancy::{CreatorId, Db};
use sqlx::PgPool;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use error::RegistryError;
pub use model::{ModelEntry, ModelStatus, ResolvedModel, canonical_name};
pub use ollama::OllamaModels;
pub use pull::{PullEvent, PullFailure};

/// The cache namespace of platform data (no tenant is the nil UUID).
const PLATFORM: CreatorId = CreatorId(Uuid::nil());
/// The cache key of the registry's rows.
const CACHE_KEY: &str = "ai:models";

/// How often the registry refreshes and how long its rows stay cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistryOptions {
    /// Pause between periodic refreshes.
    pub refresh_every: Duration,
    /// How long a read of the rows is cached (every refresh and pull invalidates it sooner).
    pub cache_ttl: Duration,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        Self {
            refresh_every: Duration::from_secs(60),
            cache_ttl: Duration::from_secs(300),
        }
    }
}

/// What one refresh changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    /// Models Ollama lists, now `available`.
    pub available: usize,
    /// Rows that were `available` and became `missing`.
    pub missing: u64,
}

/// The registry; share it behind an `Arc`.
pub struct ModelRegistry {
    pool: PgPool,
    cache: Arc<Cache>,
    ollama: OllamaModels,
    options: RegistryOptions,
}

impl std::fmt::Debug for ModelRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelRegistry")
            .field("ollama", &self.ollama)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl ModelRegistry {
    /// A registry of the Ollama server at `ollama_url`, stored through `db` and cached in `cache`.
    /// Nothing is contacted yet; call [`Self::refresh`] or [`Self::spawn_refresher`].
    pub fn new(
        db: &Db,
        cache: Arc<Cache>,
        ollama_url: &str,
        options: RegistryOptions,
    ) -> Result<Self, RegistryError> {
        Ok(Self {
            pool: db.preauth().clone(),
            cache,
            ollama: OllamaModels::new(ollama_url)?,
            options,
        })
    }

    /// Reads Ollama's models into the table now. When Ollama does not answer, the rows stay
    /// as they were and the error says why.
    pub async fn refresh(&self) -> Result<RefreshReport, RegistryError> {
        let found = self.ollama.discover().await?;
        let missing = store::apply_refresh(&self.pool, &found).await?;
        self.invalidate().await;
        Ok(RefreshReport {
            available: found.len(),
            missing,
        })
    }

    /// Refreshes at once and then every [`RegistryOptions::refresh_every`] until the runtime
    /// stops or the handle is aborted; failures are logged and retried on the next tick.
    pub fn spawn_refresher(self: &Arc<Self>) -> JoinHandle<()> {
        let registry = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(registry.options.refresh_every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match registry.refresh().await {
                    Ok(report) => tracing::debug!(?report, "model registry refreshed"),
                    Err(e) => tracing::warn!(error = %e, "model registry refresh failed"),
                }
            }
        })
    }

    /// Every row of the registry, by name (cached).
    pub async fn models(&self) -> Result<Vec<ModelEntry>, RegistryError> {
        let pool = &self.pool;
        self.cache
            .get_or_load(PLATFORM, CACHE_KEY, self.options.cache_ttl, || {
                store::list(pool)
            })
            .await
    }

    /// The model a chat should use: `wanted` when it is available, else `fallback` when that
    /// is (with `fell_back: true`), else [`RegistryError::ModelUnavailable`] (503 naming both).
    /// Names without a tag mean `:latest`.
    pub async fn resolve_chat_model(
        &self,
        wanted: &str,
        fallback: Option<&str>,
    ) -> Result<ResolvedModel, RegistryError> {
        model::resolve_chat_model(&self.models().await?, wanted, fallback)
    }

    /// The context length of the available model `name`, when the registry knows it; the
    /// chat path sizes `num_ctx` with it.
    pub async fn context_length(&self, name: &str) -> Result<Option<u32>, RegistryError> {
        let entries = self.models().await?;
        Ok(model::find_available(&entries, name)
            .and_then(|e| e.context_length)
            .and_then(|n| u32::try_from(n).ok()))
    }

    async fn invalidate(&self) {
        self.cache.invalidate(PLATFORM, CACHE_KEY).await;
    }
}
