//! The chat engine's handles and the first half of an answer, [`ChatEngine::prepare`]: the
//! creator's settings and rate limit, the conversation, the client's message stored, retrieval,
//! the model resolved, and the prompt fitted into the model's window. Everything runs in the
//! asking creator's transaction, so no other tenant's text can reach the prompt.

use std::sync::Arc;
use std::time::{Duration, Instant};

use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::cache::Cache;
use coachai_common::ratelimit::{Limit, RateLimiter};
use coachai_common::tenancy::{Db, TenantTx};
use uuid::Uuid;

use super::escalation;
use super::hold::{Taken, coach_holds};
use super::passages::Passage;
use super::prompt::{self, FittedPrompt};
use super::retrieval::{Nearest, RetrievalOptions, Retriever};
use super::settings::{self, ChatSettings};
use crate::breaker::{Breaker, BreakerState};
use crate::conversations::{self, ConversationId, MessageMeta, MessageRole, Turn};
use crate::ollama::OllamaClient;
use crate::registry::{self, ModelEntry, ModelRegistry, RegistryError, ResolvedModel};
use crate::vectors::VectorStore;

/// Longest message a client may send, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// How answers are made.
#[derive(Debug, Clone)]
pub struct ChatOptions {
    /// How many passages and how relevant.
    pub retrieval: RetrievalOptions,
    /// Largest `num_ctx` sent to Ollama, whatever the model could take.
    pub context_cap: u32,
    /// How long to wait for the model's first token before answering extractively.
    pub first_token: Duration,
    /// The model that answers when a creator's model is not on the server.
    pub fallback_model: Option<String>,
    /// Earlier messages read back for the prompt.
    pub history_messages: u32,
}

impl Default for ChatOptions {
    /// Five passages, a 4,096-token window, 30 s to the first token, no fallback model, 20
    /// earlier messages.
    fn default() -> Self {
        Self {
            retrieval: RetrievalOptions::default(),
            context_cap: 4096,
            first_token: Duration::from_secs(30),
            fallback_model: None,
            history_messages: 20,
        }
    }
}

/// Everything an answer needs, shared by every request.
pub struct ChatEngine {
    /// PostgreSQL as the app role.
    pub db: Db,
    /// The shared cache (templates).
    pub cache: Arc<Cache>,
    /// Per-creator chat rate limits.
    pub limiter: Arc<RateLimiter>,
    /// Streams answers (gives up when Ollama is silent for a while).
    pub generator: OllamaClient,
    /// Embeds questions (short timeout: retrieval degrades rather than waits).
    pub embedder: OllamaClient,
    /// The creators' collections.
    pub vectors: VectorStore,
    /// Which models Ollama has.
    pub registry: Arc<ModelRegistry>,
    /// Keeps a dead Ollama from being called on every request.
    pub breaker: Arc<Breaker>,
    /// How answers are made.
    pub options: ChatOptions,
}

/// A chat request after validation.
#[derive(Debug, Clone)]
pub struct Ask {
    /// The client's message.
    pub message: String,
    /// The conversation to continue; a new one when `None`.
    pub conversation: Option<Uuid>,
}

/// The first half of an answer, ready for the model.
#[derive(Debug)]
pub struct Prepared {
    /// The asker.
    pub principal: Principal,
    /// The conversation.
    pub conversation: ConversationId,
    /// The creator's settings.
    pub settings: ChatSettings,
    /// The model that will answer, if one is on the server.
    pub model: Option<ResolvedModel>,
    /// The prompt, fitted.
    pub prompt: FittedPrompt,
    /// Passages offered (those the prompt holds), best first.
    pub passages: Vec<Passage>,
    /// Why the answer is degraded before the model is even asked.
    pub degraded: Option<String>,
    /// When the request started.
    pub started: Instant,
    /// How long preparing took.
    pub prepare_ms: u64,
}

impl ChatEngine {
    /// Everything before the model: see the module documentation. The client's message is
    /// stored when this succeeds. A message the model must not answer (the coach handles the
    /// conversation, or it escalates) comes back [`Taken::Held`].
    pub async fn prepare(&self, principal: &Principal, ask: &Ask) -> Result<Taken, AppError> {
        let started = Instant::now();
        let creator = principal.creator_id;
        let settings = settings::cached(&self.db, &self.cache, creator).await?;
        self.check_rate(principal, &settings).await?;
        if let Some(escalation) = escalation::screen(&ask.message, &settings.escalation_topics) {
            let held = self
                .escalate(principal, ask, &settings, &escalation, started)
                .await?;
            return Ok(Taken::Held(held));
        }
        // Everything that waits on the network or on a pool connection of its own comes before
        // the transaction: the model list and the settings (a cache miss takes a connection;
        // waiting for one while holding the transaction's deadlocked the pool at 32 chats),
        // the question's embedding and the vector search (so no connection idles on Ollama or
        // ChromaDB).
        let (nearest, model) = self.outside_transaction(principal, ask, &settings).await?;
        let retriever = self.retriever();
        let mut tx = self.db.begin_for(creator).await?;
        let (conversation, history) = self.converse(&mut tx, principal, ask).await?;
        let Some(history) = history else {
            return Ok(Taken::Held(
                coach_holds(tx, conversation, ask, started).await?,
            ));
        };
        let retrieved = retriever.resolve(&mut tx, &ask.message, nearest).await?;
        let window = prompt::window(model.as_ref(), self.options.context_cap);
        let prompt = prompt::fit(
            &mut tx,
            &self.cache,
            window,
            &ask.message,
            &retrieved.passages,
            &history,
        )
        .await?;
        tx.commit().await?;
        let passages = prompt.kept(&retrieved.passages);
        Ok(Taken::Answer(Box::new(Prepared {
            principal: principal.clone(),
            conversation,
            settings,
            model,
            prompt,
            passages,
            degraded: retrieved.degraded,
            started,
            prepare_ms: elapsed_ms(started),
        })))
    }

    /// The nearest vectors and the model: what `prepare` reads before it opens its transaction.
    async fn outside_transaction(
        &self,
        principal: &Principal,
        ask: &Ask,
        settings: &ChatSettings,
    ) -> Result<(Nearest, Option<ResolvedModel>), AppError> {
        let models = self.registry.models().await;
        let nearest = self
            .retriever()
            .nearest(
                principal.creator_id,
                &settings.embedding_model,
                &ask.message,
            )
            .await;
        let model = self.resolve_model(settings, models).await?;
        Ok((nearest, model))
    }

    /// The conversation, its earlier turns, and the client's message stored in it; no turns
    /// (and nothing stored yet) when the coach handles the conversation.
    async fn converse(
        &self,
        tx: &mut TenantTx,
        principal: &Principal,
        ask: &Ask,
    ) -> Result<(ConversationId, Option<Vec<Turn>>), AppError> {
        let conversation =
            conversations::start_or_continue(tx, principal, ask.conversation).await?;
        if conversations::handled_by_coach(tx, conversation).await? {
            return Ok((conversation, None));
        }
        let history =
            conversations::recent_turns(tx, conversation, self.options.history_messages).await?;
        let meta = MessageMeta::default();
        conversations::append_message(tx, conversation, MessageRole::User, &ask.message, &meta)
            .await?;
        Ok((conversation, Some(history)))
    }

    fn retriever(&self) -> Retriever<'_> {
        let ollama_down = self.breaker.state() == BreakerState::Open;
        Retriever {
            cache: &self.cache,
            ollama: (!ollama_down).then_some(&self.embedder),
            vectors: &self.vectors,
            options: self.options.retrieval,
        }
    }

    async fn check_rate(
        &self,
        principal: &Principal,
        settings: &ChatSettings,
    ) -> Result<(), AppError> {
        let key = format!("chat:{}", principal.creator_id.0);
        let max = u32::try_from(settings.requests_per_minute)
            .unwrap_or(1)
            .max(1);
        self.limiter
            .check(&[(key.as_str(), Limit::per_secs(max, 60))])
            .await
    }

    /// The creator's model among `models`, or the fallback; `None` when Ollama cannot be asked
    /// (the answer will be extractive); 503 naming the model when Ollama answers but has
    /// neither.
    async fn resolve_model(
        &self,
        settings: &ChatSettings,
        models: Result<Vec<ModelEntry>, RegistryError>,
    ) -> Result<Option<ResolvedModel>, AppError> {
        let fallback = self.options.fallback_model.as_deref();
        let resolved = models.and_then(|entries| {
            registry::model::resolve_chat_model(&entries, &settings.chat_model, fallback)
        });
        match resolved {
            Ok(model) => Ok(Some(model)),
            Err(err @ RegistryError::ModelUnavailable { .. }) => {
                if self.ollama_answers().await {
                    Err(err.into())
                } else {
                    Ok(None)
                }
            }
            Err(_) => Ok(None),
        }
    }

    /// Whether Ollama answers at all (the breaker is closed, or a version call succeeds).
    async fn ollama_answers(&self) -> bool {
        if !self.breaker.allow() {
            return false;
        }
        let up = self.embedder.raw().list_local_models().await.is_ok();
        if up {
            self.breaker.success()
        } else {
            self.breaker.failure()
        }
        up
    }
}

/// Milliseconds since `started`.
pub fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
