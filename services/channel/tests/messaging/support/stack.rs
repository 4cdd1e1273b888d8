//! One test's stack: the Ollama double, the AI Engine on it, a JWKS server with the engine's
//! key, a receiver playing Telegram's Bot API, and Channel processes with delivery timings
//! short enough for tests (base retry 300 ms, 4 attempts, 700 ms client timeout, 3 s lease).

use std::process::Command;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::routing::get;
use coachai_common::auth::Role;
use coachai_common::tenancy::{CreatorId, TenantTx};
use coachai_ollama_double::{Config, OllamaDouble, Reply};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::{Mutex, MutexGuard};

use super::channel::Channel;
use super::receiver::{Mode, Receiver};
use super::served::Served;
use crate::harness::{Engine, User, stack_config, test_settings};

/// The double's chat and embedding models, which every test creator uses.
const CHAT_MODEL: &str = "smollm2:135m";
const EMBEDDING_MODEL: &str = "all-minilm";
/// The dev key of `scripts/env.sh`, when the environment has none.
const DEV_KEY: &str = "ZGV2LW9ubHktY2hhbm5lbC1zZWNyZXRzLWtleS0wMDA=";

/// Tests run one at a time (see the crate's doc).
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A running stack; everything stops when it is dropped.
pub struct Stack {
    /// The Channel processes (started with [`Stack::channel`]).
    pub channels: Vec<Channel>,
    /// The AI Engine's router, database and signing key.
    pub engine: Engine,
    /// The model behind the AI Engine.
    pub double: OllamaDouble,
    /// Telegram's Bot API.
    pub telegram: Receiver,
    env: Vec<(String, String)>,
    http: reqwest::Client,
    _ai: Served,
    _jwks: Served,
    _turn: MutexGuard<'static, ()>,
}

/// An answer of a Channel process.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The body as JSON (`Null` when it is not).
    pub body: Value,
    /// The content type.
    pub content_type: String,
}

impl Stack {
    /// The stack with one Channel process, after the previous test's stack is gone.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`Self::start`] with the Channel processes' settings `overrides` (environment names).
    pub async fn start_with(overrides: &[(&str, &str)]) -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
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
        let telegram = Receiver::start(Mode::Up).await;
        let common = &config.common;
        let key = std::env::var("CHANNEL_SECRETS_KEY").unwrap_or_else(|_| DEV_KEY.into());
        let env = [
            ("DATABASE_URL", common.database_url.clone()),
            ("REDIS_URL", common.redis_url.clone()),
            ("AUTH_JWKS_URL", format!("{}/jwks.json", jwks.url())),
            ("JWT_ISSUER", common.jwt_issuer.clone()),
            ("JWT_AUDIENCE", common.jwt_audience.clone()),
            ("AI_ENGINE_URL", ai.url()),
            ("TELEGRAM_API_URL", telegram.url()),
            ("CHANNEL_SECRETS_KEY", key),
            ("CHANNEL_RETRY_BASE_MS", "300".into()),
            ("CHANNEL_RETRY_MAX_MS", "5000".into()),
            ("CHANNEL_MAX_ATTEMPTS", "4".into()),
            ("CHANNEL_DELIVERY_TIMEOUT_MS", "700".into()),
            ("CHANNEL_LEASE_MS", "3000".into()),
            ("CHANNEL_POLL_MS", "200".into()),
        ]
        .into_iter()
        .filter(|(k, _)| !overrides.iter().any(|(name, _)| name == k))
        .map(|(k, v)| (k.to_owned(), v))
        .chain(
            overrides
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .collect();
        let mut stack = Self {
            channels: Vec::new(),
            engine,
            double,
            telegram,
            env,
            http: reqwest::Client::new(),
            _ai: ai,
            _jwks: jwks,
            _turn: turn,
        };
        stack.channel().await;
        stack
    }

    /// Starts one more Channel process.
    pub async fn channel(&mut self) {
        self.channels.push(Channel::start(&self.env).await);
    }

    /// Kills Channel process `i` with SIGKILL (no shutdown of any kind) and forgets it.
    pub fn crash(&mut self, i: usize) {
        let channel = self.channels.remove(i);
        let status = Command::new("kill")
            .args(["-KILL", &channel.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        drop(channel);
    }

    /// The model answers `text` from now on.
    pub fn reply(&self, text: &str) {
        self.double.set_reply(Reply::Fixed(text.to_owned()));
    }

    /// The model streams `tokens_per_second` from now on.
    pub fn slow_model(&self, tokens_per_second: f64) {
        self.double.set_token_rate(Some(tokens_per_second));
    }

    /// The model streams as fast as it is read again.
    pub fn slow_model_off(&self) {
        self.double.set_token_rate(None);
    }

    /// A new creator whose chat and embedding models are the double's.
    pub async fn creator(&self) -> CreatorId {
        let creator = self.engine.creator().await;
        let mut tx = self.tenant(creator).await;
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

    /// A new user of `creator` with `role`.
    pub async fn user(&self, creator: CreatorId, role: Role) -> User {
        self.engine.user(creator, role).await
    }

    /// `creator`'s tenant transaction.
    pub async fn tenant(&self, creator: CreatorId) -> TenantTx {
        self.engine.tenant(creator).await
    }

    /// Sends `body` (raw bytes, JSON) to `path` under the Channel's prefix on the first
    /// process, with `token` (if any) and `headers`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, String)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        let url = format!("http://{}/api/v1/channels{path}", self.channels[0].addr);
        let mut request = self.http.request(method, url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            content_type,
        }
    }

    /// Creates an integration of `creator` as `owner`: (its id, its secret).
    pub async fn integration(
        &self,
        creator: CreatorId,
        owner: &User,
        body: Value,
    ) -> (String, String) {
        let path = format!("/{}/integrations", creator.0);
        let created = self
            .send(
                Method::POST,
                &path,
                Some(&owner.token),
                &[],
                Some(body.to_string().into_bytes()),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["integration"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (id, created.body["secret"].as_str().unwrap().to_owned())
    }

    /// How many answers the model was asked for.
    pub fn answers_asked(&self) -> usize {
        use coachai_ollama_double::Endpoint;
        self.double.requests_to(Endpoint::Chat).len()
            + self.double.requests_to(Endpoint::Generate).len()
    }
}

/// Waits `for_` (for things that must *not* happen).
pub async fn settle(for_: Duration) {
    tokio::time::sleep(for_).await;
}
