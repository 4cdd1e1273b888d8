//! The AI Engine as `make up` assembles it (the product's pool size and settings), in-process over
//! the dev stack's PostgreSQL, Redis and ChromaDB and a given Ollama, with one creator whose
//! library is embedded by the engine's own worker and whose clients hold access tokens.

use std::sync::Arc;

use axum::Router;
use coachai_ai_engine::assembly::{self, EngineSettings};
use coachai_ai_engine::registry::{ModelRegistry, RegistryOptions};
use coachai_ai_engine::worker::Worker;
use coachai_ai_engine::{Config, DEFAULT_PORT, router_with_engine};
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, Authenticator, JwtVerifier, Revocations, Role};
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::state::CoreState;
use coachai_common::tenancy::{CreatorId, Db};
use serde_json::json;
use uuid::Uuid;

use crate::library;

/// The library every bench creator has: title and one chunk each.
const LIBRARY: [(&str, &str); 3] = [
    (
        "Kettlebell basics",
        "Exhale at the top of every kettlebell swing.",
    ),
    (
        "Warm-up guide",
        "Circle your hips slowly before you swing a kettlebell.",
    ),
    (
        "Recovery talk",
        "Sleep eight hours after heavy training days.",
    ),
];

/// The library's chunks as one system message, so a direct call streams an answer as long as
/// the engine's (the double quotes each passage's first sentence).
pub fn library_as_passages() -> String {
    LIBRARY
        .iter()
        .enumerate()
        .map(|(i, (_, text))| format!("<passage label=\"[{}]\">{text}</passage>", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set (source scripts/env.sh)"))
}

/// The engine's router and what the bench needs to set up a creator.
pub struct Bench {
    /// `make up`'s router (auth, chat, conversations...).
    pub router: Router,
    db: Db,
    worker: Worker,
    key: Ed25519Key,
    config: Config,
}

impl Bench {
    /// Assembles the engine on the Ollama at `ollama_url` and refreshes its model registry.
    pub async fn new(ollama_url: &str) -> Self {
        let mut config = Config::with_port(DEFAULT_PORT);
        config.common.chroma_url = env("CHROMA_URL");
        config.common.database_url = env("DATABASE_URL");
        config.common.redis_url = env("REDIS_URL");
        config.common.ollama_url = ollama_url.to_owned();
        coachai_common::db::migrate(&env("MIGRATION_DATABASE_URL"))
            .await
            .expect("migrations apply to MIGRATION_DATABASE_URL");
        let common = &config.common;
        let pool =
            coachai_common::db::connect(&common.database_url, common.database_max_connections)
                .await
                .expect("PostgreSQL of the dev stack answers at DATABASE_URL");
        let db = Db::new(pool);
        let key = Ed25519Key::generate("chat-bench");
        let jwks = jsonwebtoken::jwk::JwkSet {
            keys: vec![key.public_jwk()],
        };
        let verifier = JwtVerifier::fixed(&jwks, &common.jwt_issuer, &common.jwt_audience)
            .expect("a verifier of the bench key");
        let revocations = Arc::new(Revocations::new(&common.redis_url));
        let state = CoreState {
            db: db.clone(),
            authenticator: Authenticator::new(Arc::new(verifier), revocations),
            cache: Arc::new(Cache::new(&common.redis_url, CacheOptions::default())),
        };
        let registry = ModelRegistry::new(
            &db,
            state.cache.clone(),
            ollama_url,
            RegistryOptions::default(),
        )
        .expect("OLLAMA_URL is an http URL");
        let registry = Arc::new(registry);
        registry
            .refresh()
            .await
            .expect("the Ollama lists its models");
        let engine =
            assembly::Engine::with_registry(&state, &config, registry, EngineSettings::default())
                .expect("the engine assembles");
        Self {
            router: router_with_engine(state, &config, &engine),
            db,
            worker: engine.worker,
            key,
            config,
        }
    }

    /// A new creator on `chat`/`embedding` with [`LIBRARY`] embedded and a rate limit no bench
    /// reaches.
    pub async fn creator(&self, chat: &str, embedding: &str) -> CreatorId {
        let creator = CreatorId(Uuid::new_v4());
        let mut tx = self
            .db
            .begin_for(creator)
            .await
            .expect("a tenant transaction");
        sqlx::query(
            "INSERT INTO creators (id, slug, display_name, quotas) VALUES ($1, $2, 'Bench', $3)",
        )
        .bind(creator.0)
        .bind(format!("bench-{}", &creator.0.simple().to_string()[..12]))
        .bind(json!({"requests_per_minute": 100_000}))
        .execute(tx.conn())
        .await
        .expect("the bench creator is stored");
        tx.commit().await.expect("commit");
        library::set_models(&self.db, creator, chat, embedding).await;
        for (title, text) in LIBRARY {
            let chunks = [(text, json!({"page": 1}))];
            let (_, job) = library::add_content(&self.db, creator, title, &chunks).await;
            library::embed(&self.worker, &self.db, creator, job).await;
        }
        creator
    }

    /// One tenant transaction of `creator` on the engine's pool: begin (with the tenant set),
    /// one SELECT, commit.
    pub async fn tenant_round_trip(&self, creator: CreatorId) {
        let mut tx = self
            .db
            .begin_for(creator)
            .await
            .expect("a tenant transaction");
        sqlx::query("SELECT display_name FROM creators WHERE id = $1")
            .bind(creator.0)
            .fetch_one(tx.conn())
            .await
            .expect("the creator is visible to itself");
        tx.commit().await.expect("commit");
    }

    /// A stored client of `creator` and their access token.
    pub async fn client(&self, creator: CreatorId) -> String {
        let id = Uuid::new_v4();
        let mut tx = self
            .db
            .begin_for(creator)
            .await
            .expect("a tenant transaction");
        sqlx::query("INSERT INTO users (id, creator_id, email, role) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(creator.0)
            .bind(format!("{}@bench.example.com", id.simple()))
            .bind(Role::Client.as_str())
            .execute(tx.conn())
            .await
            .expect("the bench client is stored");
        tx.commit().await.expect("commit");
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.config.common.jwt_issuer.clone(),
            aud: self.config.common.jwt_audience.clone(),
            sub: id,
            exp: now + 3600,
            iat: now,
            nbf: now,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role: Role::Client,
        };
        self.key.sign(&claims).expect("the bench key signs")
    }
}
