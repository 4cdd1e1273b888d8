//! One test's stack: the Ollama double, the AI Engine on it (served on a socket), a JWKS server
//! with the engine's signing key, Channel processes that trust both, and optionally the gateway
//! in front of the first one. Creators answer with the double's models.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::routing::get;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use coachai_ollama_double::{Config, Endpoint, OllamaDouble};

use super::channel::Channel;
use super::gateway::Gateway;
use super::served::Served;
use crate::harness::{Engine, User, stack_config, test_settings};

/// The double's chat and embedding models, which every test creator uses.
pub const CHAT_MODEL: &str = "smollm2:135m";
/// See [`CHAT_MODEL`].
pub const EMBEDDING_MODEL: &str = "all-minilm";

/// What a test needs started.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// How many Channel processes (replica 0, 1, ...).
    pub replicas: usize,
    /// Whether the gateway runs in front of replica 0.
    pub gateway: bool,
}

/// A running stack; everything stops when it is dropped (the gateway first).
pub struct Stack {
    /// The gateway, when asked for.
    pub gateway: Option<Gateway>,
    /// The Channel processes.
    pub replicas: Vec<Channel>,
    /// The AI Engine's router, database and signing key.
    pub engine: Engine,
    /// The model behind the AI Engine.
    pub double: OllamaDouble,
    _ai: Served,
    _jwks: Served,
}

impl Stack {
    /// Starts what `shape` asks for.
    pub async fn start(shape: Shape) -> Self {
        let double = OllamaDouble::start(Config::default()).await.unwrap();
        let config = stack_config(&double.url());
        let engine = Engine::with_config(config.clone(), test_settings()).await;
        engine.registry.refresh().await.unwrap();
        let ai = Served::start(engine.router.clone()).await;
        let jwks = engine.jwks();
        let jwks = Served::start(Router::new().route(
            "/jwks.json",
            get(move || std::future::ready(Json(jwks.clone()))),
        ))
        .await;
        let common = &config.common;
        let env: Vec<(String, String)> = [
            ("DATABASE_URL", common.database_url.clone()),
            ("REDIS_URL", common.redis_url.clone()),
            ("AUTH_JWKS_URL", format!("{}/jwks.json", jwks.url())),
            ("JWT_ISSUER", common.jwt_issuer.clone()),
            ("JWT_AUDIENCE", common.jwt_audience.clone()),
            ("AI_ENGINE_URL", ai.url()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let replicas =
            futures::future::join_all((0..shape.replicas).map(|_| Channel::start(&env))).await;
        let gateway = match (shape.gateway, replicas.first()) {
            (true, Some(first)) => Some(Gateway::start(first.addr, ai.addr).await),
            (true, None) => panic!("the gateway needs a Channel process behind it"),
            (false, _) => None,
        };
        Self {
            gateway,
            replicas,
            engine,
            double,
            _ai: ai,
            _jwks: jwks,
        }
    }

    /// Replica `i`'s address.
    pub fn replica(&self, i: usize) -> SocketAddr {
        self.replicas[i].addr
    }

    /// The gateway's address.
    pub fn edge(&self) -> SocketAddr {
        self.gateway
            .as_ref()
            .expect("a stack with the gateway")
            .addr
    }

    /// A new creator whose chat and embedding models are the double's.
    pub async fn creator(&self) -> CreatorId {
        let creator = self.engine.creator().await;
        let mut tx = self.engine.tenant(creator).await;
        sqlx::query("UPDATE creators SET chat_model = $2, embedding_model = $3 WHERE id = $1")
            .bind(creator.0)
            .bind(CHAT_MODEL)
            .bind(EMBEDDING_MODEL)
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        creator
    }

    /// Lets browsers of `origins` connect on `creator`'s behalf (`creators.allowed_origins`).
    pub async fn allow_origins(&self, creator: CreatorId, origins: &[&str]) {
        let mut tx = self.engine.tenant(creator).await;
        sqlx::query("UPDATE creators SET allowed_origins = $2 WHERE id = $1")
            .bind(creator.0)
            .bind(origins.iter().map(|o| (*o).to_owned()).collect::<Vec<_>>())
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// A new client (end user) of `creator` with an access token.
    pub async fn client(&self, creator: CreatorId) -> User {
        self.engine.user(creator, Role::Client).await
    }

    /// The model is slow from now on: `tokens_per_second` answer tokens.
    pub fn slow_model(&self, tokens_per_second: f64) {
        self.double.set_token_rate(Some(tokens_per_second));
    }

    /// How many answers the model was asked for.
    pub fn answers_asked(&self) -> usize {
        self.double.requests_to(Endpoint::Chat).len()
            + self.double.requests_to(Endpoint::Generate).len()
    }
}
