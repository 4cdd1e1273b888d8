//! An AI Engine router over the local stack's PostgreSQL and Redis and a model registry on a
//! given Ollama URL (a double), real users in fresh creators, and tokens the router trusts.

use std::sync::Arc;

use crate::test_db::env_or as env;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::response::Response;
use coachai_ai_engine::assembly::{self, EngineSettings};
use coachai_ai_engine::chat::ChatEngine;
use coachai_ai_engine::registry::{ModelRegistry, RegistryOptions};
use coachai_ai_engine::worker::Worker;
use coachai_ai_engine::{Config, DEFAULT_PORT, router_with_engine};
use coachai_common::auth::api_keys::{ApiKeyStore, key_hash};
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{
    AccessClaims, Authenticator, Credential, JwtVerifier, Principal, Revocations, Role,
};
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::state::CoreState;
use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use http_body_util::BodyExt;
use jsonwebtoken::jwk::JwkSet;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

/// A status and a JSON body (`Null` when empty or not JSON), with the raw text.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub text: String,
    pub content_type: String,
}

impl Reply {
    /// Asserts a problem+json answer with `status`.
    pub fn problem(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        self
    }

    /// Asserts a JSON answer with `status` and returns its body.
    pub fn ok(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.content_type, "application/json", "{}", self.text);
        self.body
    }
}

/// A user of a creator with a token.
#[derive(Clone)]
pub struct User {
    pub principal: Principal,
    pub token: String,
}

/// The engine with its database, registry and the key its tokens are signed with.
pub struct Engine {
    pub router: Router,
    pub db: Db,
    pub cache: Arc<Cache>,
    pub registry: Arc<ModelRegistry>,
    /// The chat engine behind `/chat`.
    pub chat: Arc<ChatEngine>,
    /// An embedding worker over the same Ollama, ChromaDB and database (not started).
    pub worker: Worker,
    key: Ed25519Key,
    config: Config,
}

impl Engine {
    /// An engine whose registry reads the Ollama at `ollama_url`.
    pub async fn new(ollama_url: &str) -> Self {
        Self::with_settings(ollama_url, test_settings()).await
    }

    /// An engine on the Ollama at `ollama_url` with `settings`.
    pub async fn with_settings(ollama_url: &str, settings: EngineSettings) -> Self {
        Self::with_config(stack_config(ollama_url), settings).await
    }

    /// An engine on the dependencies `config` names (see [`stack_config`]) with `settings`.
    pub async fn with_config(config: Config, settings: EngineSettings) -> Self {
        let ollama_url = config.common.ollama_url.as_str();
        let db = crate::test_db::migrated(&config.common.database_url, 8).await;
        let key = Ed25519Key::generate("engine-test");
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
        let registry =
            ModelRegistry::new(&db, cache.clone(), ollama_url, RegistryOptions::default())
                .expect("the Ollama URL is an http URL");
        let registry = Arc::new(registry);
        let engine = assembly::Engine::with_registry(&state, &config, registry.clone(), settings)
            .expect("the engine assembles");
        Self {
            router: router_with_engine(state, &config, &engine),
            db,
            cache,
            registry,
            chat: engine.chat,
            worker: engine.worker,
            key,
            config,
        }
    }

    /// A new creator with a random slug.
    pub async fn creator(&self) -> CreatorId {
        let creator = CreatorId(Uuid::new_v4());
        let mut tx = self.db.begin_for(creator).await.unwrap();
        let slug = format!("ai-{}", &creator.0.simple().to_string()[..12]);
        sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, 'AI Test')")
            .bind(creator.0)
            .bind(slug)
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        creator
    }

    /// A new user of `creator` with `role`, stored, and an access token of theirs.
    pub async fn user(&self, creator: CreatorId, role: Role) -> User {
        let id = Uuid::new_v4();
        let mut tx = self.tenant(creator).await;
        sqlx::query("INSERT INTO users (id, creator_id, email, role) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(creator.0)
            .bind(format!("{}@example.com", id.simple()))
            .bind(role.as_str())
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let claims = self.claims(id, creator, role, 600);
        let principal = Principal {
            user_id: id,
            creator_id: creator,
            role,
            credential: Credential::AccessToken {
                jti: claims.jti.clone(),
                issued_at: claims.iat,
            },
        };
        User {
            principal,
            token: self.key.sign(&claims).unwrap(),
        }
    }

    /// A token of `user` signed by the engine's key that expired `seconds_ago`.
    #[allow(dead_code)] // for the Channel's WebSocket tests, which include this harness
    pub fn expired_token(&self, user: &User, seconds_ago: i64) -> String {
        let p = &user.principal;
        let claims = self.claims(p.user_id, p.creator_id, p.role, -seconds_ago);
        self.key.sign(&claims).unwrap()
    }

    /// The public key set the engine's tokens verify with, as the Auth service's JWKS serves it.
    #[allow(dead_code)] // for the Channel's WebSocket tests, which include this harness
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.key.public_jwk()],
        }
    }

    /// Access-token claims of `user` expiring `lifetime` seconds from now (negative: expired).
    fn claims(&self, user: Uuid, creator: CreatorId, role: Role, lifetime: i64) -> AccessClaims {
        let now = chrono::Utc::now().timestamp();
        // An expired token was issued ten minutes before it expired.
        let issued = if lifetime > 0 {
            now
        } else {
            now + lifetime - 600
        };
        AccessClaims {
            iss: self.config.common.jwt_issuer.clone(),
            aud: self.config.common.jwt_audience.clone(),
            sub: user,
            exp: now + lifetime,
            iat: issued,
            nbf: issued,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role,
        }
    }

    /// A live API key with `scopes` of a new owner of `creator`.
    pub async fn api_key(&self, creator: CreatorId, scopes: &[&str]) -> String {
        let owner = self.user(creator, Role::Owner).await;
        let prefix = Uuid::new_v4().simple().to_string()[..12].to_owned();
        let key = format!("cak_{prefix}_{}", Uuid::new_v4().simple());
        let mut tx = self.tenant(creator).await;
        sqlx::query(
            "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash, scopes) \
             VALUES ($1, $2, 'integration', $3, $4, $5)",
        )
        .bind(creator.0)
        .bind(owner.principal.user_id)
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

    /// Sends a request to `/api/v1/ai{path}` and returns the response unread.
    pub async fn respond(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let body = body.map(|b| ("application/json", b.to_string()));
        self.send(method, path, token, body).await
    }

    /// Sends a request to `/api/v1/ai{path}` with an optional raw body of a content type and
    /// returns the response unread.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, String)>,
    ) -> Response {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1/ai{path}"))
            .header("authorization", format!("Bearer {token}"));
        let mut payload = String::new();
        if let Some((content_type, text)) = body {
            request = request.header("content-type", content_type);
            payload = text;
        }
        let request = request.body(Body::from(payload)).unwrap();
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// Sends `text` as a body of `content_type` to `/api/v1/ai{path}` and reads the answer.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, String)>,
    ) -> Reply {
        read(self.send(method, path, token, body).await).await
    }

    /// Sends a request to `/api/v1/ai{path}` and reads the whole answer.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Reply {
        read(self.respond(method, path, token, body).await).await
    }
}

/// The local stack's PostgreSQL, Redis and ChromaDB (from the environment) and the Ollama at
/// `ollama_url`.
pub fn stack_config(ollama_url: &str) -> Config {
    let mut config = Config::with_port(DEFAULT_PORT);
    config.common.chroma_url = env("CHROMA_URL", &config.common.chroma_url);
    config.common.database_url = env("DATABASE_URL", &config.common.database_url);
    config.common.redis_url = env("REDIS_URL", &config.common.redis_url);
    config.common.ollama_url = ollama_url.to_owned();
    config
}

/// Engine settings for tests: answers give up on the model after 3 s.
pub fn test_settings() -> EngineSettings {
    EngineSettings {
        chat_first_token_secs: 3,
        ..EngineSettings::default()
    }
}

/// Reads a response to its end.
pub async fn read(response: Response) -> Reply {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        body,
        text,
        content_type,
    }
}
