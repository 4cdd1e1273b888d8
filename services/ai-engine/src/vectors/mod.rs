//! The per-creator vector store over ChromaDB: one cosine collection per creator, named from the
//! verified [`CreatorId`] only, reached through the official `chroma` client.
//!
//! [`VectorStore`] is cheap to clone and keeps a per-process cache of collection handles, so a
//! query costs one request to Chroma once the creator's collection has been seen. Every call is
//! bounded by a timeout; a Chroma that is down, slow or failing answers
//! [`VectorError::Unavailable`], which the engine turns into full-text retrieval.

mod canary;
mod error;
mod ops;
mod records;
mod sweep;

use std::sync::Arc;
use std::time::Duration;

use chroma::client::{ChromaAuthMethod, ChromaHttpClientOptions, ChromaRetryOptions};
use chroma::types::{Metadata, MetadataValue};
use chroma::{ChromaCollection, ChromaHttpClient};
use coachai_common::CreatorId;
use coachai_common::config::CommonConfig;
use moka::future::Cache;

pub use canary::canary_id;
pub use error::VectorError;
pub use records::{ChunkVector, Hit, collection_name};

use error::Failure;

/// How long one call may take, retries included, unless [`VectorStore::with_timeout`] says
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Chroma's tenant and database for every collection; creators are kept apart by collection.
const CHROMA_TENANT: &str = "default_tenant";
const CHROMA_DATABASE: &str = "default_database";

/// How many collection handles a process remembers, and for how long without use.
const CACHED_COLLECTIONS: u64 = 10_000;
const CACHE_IDLE: Duration = Duration::from_secs(600);

/// A handle on the creators' vectors in one ChromaDB server.
#[derive(Clone)]
pub struct VectorStore {
    client: ChromaHttpClient,
    collections: Cache<CreatorId, Arc<ChromaCollection>>,
    timeout: Duration,
}

impl std::fmt::Debug for VectorStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VectorStore")
            .field("timeout", &self.timeout)
            .field("cached_collections", &self.collections.entry_count())
            .finish_non_exhaustive()
    }
}

impl VectorStore {
    /// A store talking to the ChromaDB at `chroma_url` (`http://host:port` or `https://…`).
    /// Connects lazily: an unreachable server fails the first call, not this one.
    pub fn new(chroma_url: &str) -> Result<Self, VectorError> {
        let invalid = |reason: String| VectorError::InvalidUrl {
            url: chroma_url.to_owned(),
            reason,
        };
        let endpoint =
            reqwest_chroma::Url::parse(chroma_url).map_err(|e| invalid(e.to_string()))?;
        // `localhost:8000` parses, with `localhost` as its scheme.
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(invalid("the scheme is neither http nor https".into()));
        }
        // The client is built with rustls and no crypto provider of its own (see Cargo.toml):
        // use ring, like the rest of the tree. An error only means a provider is already set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let options = ChromaHttpClientOptions {
            endpoint,
            auth_method: ChromaAuthMethod::None,
            retry_options: ChromaRetryOptions {
                max_retries: 1,
                min_delay: Duration::from_millis(50),
                max_delay: Duration::from_millis(200),
                jitter: true,
            },
            tenant_id: Some(CHROMA_TENANT.into()),
            database_name: Some(CHROMA_DATABASE.into()),
            ..ChromaHttpClientOptions::default()
        };
        Ok(Self {
            client: ChromaHttpClient::new(options),
            collections: Cache::builder()
                .max_capacity(CACHED_COLLECTIONS)
                .time_to_idle(CACHE_IDLE)
                .build(),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// A store for the configured `chroma_url`.
    pub fn from_config(config: &CommonConfig) -> Result<Self, VectorError> {
        Self::new(&config.chroma_url)
    }

    /// The same store with every call bounded by `timeout` instead of [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Succeeds when the ChromaDB server answers its heartbeat within the timeout.
    pub async fn heartbeat(&self) -> Result<(), VectorError> {
        let call = async {
            self.client.heartbeat().await?;
            Ok(())
        };
        self.bounded("heartbeat", call)
            .await
            .map_err(|failure| match failure {
                Failure::Missing => {
                    VectorError::Unavailable("the heartbeat route is missing".into())
                }
                Failure::Error(err) => err,
            })
    }

    /// Runs one Chroma call under the store's timeout.
    async fn bounded<T>(
        &self,
        operation: &str,
        call: impl Future<Output = Result<T, Failure>>,
    ) -> Result<T, Failure> {
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Error(VectorError::timed_out(
                    operation,
                    self.timeout,
                )))
            })
    }

    /// The creator's collection, or `None` when it has not been created yet.
    async fn existing(
        &self,
        creator: CreatorId,
    ) -> Result<Option<Arc<ChromaCollection>>, VectorError> {
        if let Some(found) = self.collections.get(&creator).await {
            return Ok(Some(found));
        }
        let fetch = async { Ok(self.client.get_collection(collection_name(creator)).await?) };
        match self.bounded("get collection", fetch).await {
            Ok(collection) => Ok(Some(self.remember(creator, collection).await)),
            Err(Failure::Missing) => Ok(None),
            Err(Failure::Error(err)) => Err(err),
        }
    }

    /// The creator's collection, created (cosine space) when missing.
    async fn ensure(&self, creator: CreatorId) -> Result<Arc<ChromaCollection>, VectorError> {
        if let Some(found) = self.collections.get(&creator).await {
            return Ok(found);
        }
        let metadata = Metadata::from([("hnsw:space".into(), MetadataValue::Str("cosine".into()))]);
        let create = async {
            let name = collection_name(creator);
            Ok(self
                .client
                .get_or_create_collection(name, None, Some(metadata))
                .await?)
        };
        match self.bounded("create collection", create).await {
            Ok(collection) => Ok(self.remember(creator, collection).await),
            Err(Failure::Missing) => Err(VectorError::Unexpected("creating gave 404".into())),
            Err(Failure::Error(err)) => Err(err),
        }
    }

    async fn remember(
        &self,
        creator: CreatorId,
        collection: ChromaCollection,
    ) -> Arc<ChromaCollection> {
        let collection = Arc::new(collection);
        self.collections
            .insert(creator, Arc::clone(&collection))
            .await;
        collection
    }

    /// Forgets a cached handle whose collection turned out to be gone (dropped elsewhere).
    async fn forget(&self, creator: CreatorId) {
        self.collections.invalidate(&creator).await;
    }
}
