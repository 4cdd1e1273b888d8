//! An AI Engine router over the local stack, creators with a persona made in their own tenant
//! transaction, access tokens signed with a key the router trusts, and API keys.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use coachai_ai_engine::assembly;
use coachai_ai_engine::prompts::{ChatContext, Passage, RenderedPrompt, render_chat_prompt};
use coachai_ai_engine::{Config, DEFAULT_PORT, router_with_engine};
use coachai_common::auth::api_keys::{ApiKeyStore, key_hash};
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, Authenticator, JwtVerifier, Revocations, Role};
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::state::CoreState;
use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use http_body_util::BodyExt;
use jsonwebtoken::jwk::JwkSet;
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use tower::ServiceExt;
use uuid::Uuid;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A status and a JSON body (`Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Reply {
    /// Asserts a problem+json answer with `status`.
    pub fn problem(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        self
    }

    /// Asserts a JSON answer with `status` and returns its body.
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        self.body
    }
}

/// The AI Engine with its database, cache and the key its tokens are signed with.
pub struct Engine {
    pub router: Router,
    pub db: Db,
    pub cache: Arc<Cache>,
    key: Ed25519Key,
    config: Config,
}

impl Engine {
    pub async fn new() -> Self {
        let mut config = Config::with_port(DEFAULT_PORT);
        config.common.database_url = env("DATABASE_URL", &config.common.database_url);
        config.common.redis_url = env("REDIS_URL", &config.common.redis_url);
        MIGRATED
            .get_or_init(|| async {
                let owner = env(
                    "MIGRATION_DATABASE_URL",
                    "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
                );
                coachai_common::db::migrate(&owner)
                    .await
                    .expect("migrations apply");
            })
            .await;
        let pool = coachai_common::db::connect(&config.common.database_url, 8)
            .await
            .expect("the local stack is running (make stack)");
        let db = Db::new(pool);
        let key = Ed25519Key::generate("ai-engine-test");
        let jwks = JwkSet {
            keys: vec![key.public_jwk()],
        };
        let common = &config.common;
        let verifier = JwtVerifier::fixed(&jwks, &common.jwt_issuer, &common.jwt_audience).unwrap();
        let revocations = Arc::new(Revocations::new(&common.redis_url));
        let cache = Arc::new(Cache::new(&common.redis_url, CacheOptions::default()));
        let state = CoreState {
            db: db.clone(),
            authenticator: Authenticator::new(Arc::new(verifier), revocations)
                .with_api_keys(Arc::new(ApiKeyStore::new(db.clone()))),
            cache: cache.clone(),
        };
        // Assembled without its background tasks: no worker or refresher runs in these tests.
        let engine = assembly::Engine::build(&state, &config).expect("the engine assembles");
        Self {
            router: router_with_engine(state, &config, &engine),
            db,
            cache,
            key,
            config,
        }
    }

    /// A new creator named "Ana Strength" whose coach persona is Ana.
    pub async fn creator(&self) -> CreatorId {
        let creator = CreatorId(Uuid::new_v4());
        let mut tx = self.db.begin_for(creator).await.unwrap();
        let slug = format!("ai-{}", &creator.0.simple().to_string()[..12]);
        let persona = json!({"coach_name": "Ana", "tone": "warm, direct",
            "avoid_topics": ["medication"], "escalation_topics": ["chest pain"],
            "disclaimer": "Not medical advice."});
        sqlx::query(
            "INSERT INTO creators (id, slug, display_name, persona)
             VALUES ($1, $2, 'Ana Strength', $3)",
        )
        .bind(creator.0)
        .bind(slug)
        .bind(persona)
        .execute(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        creator
    }

    /// An access token of a new user of `creator` with `role`.
    pub fn token(&self, creator: CreatorId, role: Role) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.config.common.jwt_issuer.clone(),
            aud: self.config.common.jwt_audience.clone(),
            sub: Uuid::new_v4(),
            exp: now + 600,
            iat: now,
            nbf: now,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role,
        };
        self.key.sign(&claims).unwrap()
    }

    /// A live API key of a new owner of `creator` with `scopes`.
    pub async fn api_key(&self, creator: CreatorId, scopes: &[&str]) -> String {
        let prefix = Uuid::new_v4().simple().to_string()[..12].to_owned();
        let key = format!("cak_{prefix}_{}", Uuid::new_v4().simple());
        let mut tx = self.tenant(creator).await;
        let user: Uuid = sqlx::query_scalar(
            "INSERT INTO users (creator_id, email, role) VALUES ($1, $2, 'owner') RETURNING id",
        )
        .bind(creator.0)
        .bind(format!("{prefix}@example.org"))
        .fetch_one(tx.conn())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash, scopes)
             VALUES ($1, $2, 'integration', $3, $4, $5)",
        )
        .bind(creator.0)
        .bind(user)
        .bind(&prefix)
        .bind(key_hash(&key))
        .bind(scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        .execute(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        key
    }

    pub async fn tenant(&self, creator: CreatorId) -> TenantTx {
        self.db.begin_for(creator).await.unwrap()
    }

    /// Calls `path` (relative to `/api/v1/ai`) with a raw body of `content_type`.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, String)>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1/ai{path}"))
            .header("authorization", format!("Bearer {token}"));
        let mut payload = String::new();
        if let Some((content_type, text)) = body {
            request = request.header("content-type", content_type);
            payload = text;
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(payload)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            content_type,
        }
    }

    /// Calls `path` with `body` as JSON (or no body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let body = body.map(|b| ("application/json", b.to_string()));
        self.raw(method, path, token, body).await
    }

    /// `GET /prompts`.
    pub async fn list(&self, token: &str) -> Reply {
        self.call(Method::GET, "/prompts", token, None).await
    }

    /// `POST /prompts`.
    pub async fn create(&self, token: &str, name: &str, body: &str) -> Reply {
        let json = json!({"name": name, "body": body});
        self.call(Method::POST, "/prompts", token, Some(json)).await
    }

    /// `POST /prompts/{name}/versions`.
    pub async fn add_version(&self, token: &str, name: &str, body: &str, activate: bool) -> Reply {
        let json = json!({"body": body, "activate": activate});
        let path = format!("/prompts/{name}/versions");
        self.call(Method::POST, &path, token, Some(json)).await
    }

    /// `POST /prompts/{name}/versions/{version}/activate`.
    pub async fn activate(&self, token: &str, name: &str, version: &str) -> Reply {
        let path = format!("/prompts/{name}/versions/{version}/activate");
        self.call(Method::POST, &path, token, None).await
    }

    /// `POST /prompts/{name}/preview`.
    pub async fn preview(&self, token: &str, name: &str, body: Value) -> Reply {
        let path = format!("/prompts/{name}/preview");
        self.call(Method::POST, &path, token, Some(body)).await
    }

    /// What the chat path gets for `question` with one passage, through the shared cache.
    pub async fn render(&self, creator: CreatorId, question: &str) -> RenderedPrompt {
        let chat = ChatContext {
            question: question.into(),
            passages: vec![Passage {
                title: "Hips".into(),
                location: "page 3".into(),
                text: "Ten slow circles.".into(),
            }],
            history: vec![],
        };
        let mut tx = self.tenant(creator).await;
        let prompt = render_chat_prompt(&mut tx, &self.cache, &chat)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        prompt
    }
}
