//! What a Channel process needs around it: the dev stack's database (migrated) holding a fresh
//! creator, a user and their conversations, a JWKS served in-process for a key generated here,
//! and an access token of that user signed with it.
//!
//! Unlike the integration tests' helper, a database migrated further than this checkout (a
//! newer branch ran its migrations on the shared dev stack) is not an error here: the bench
//! touches only creators, users and conversations, and says that it went on.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::routing::get;
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, Role};
use coachai_common::db::{self, MigrateError};
use coachai_common::tenancy::{CreatorId, Db};
use jsonwebtoken::jwk::JwkSet;
use tokio::net::TcpListener;
use uuid::Uuid;

/// The local stack's PostgreSQL as the app role and the owner role, unless `DATABASE_URL` and
/// `MIGRATION_DATABASE_URL` say otherwise (`scripts/env.sh` sets both).
const DATABASE_URL: &str = "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai";
const MIGRATION_DATABASE_URL: &str =
    "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai";
/// The local stack's Redis, unless `REDIS_URL` says otherwise.
pub const REDIS_URL: &str = "redis://127.0.0.1:63799";
/// Issuer and audience of the minted tokens, the Channel's defaults.
const ISSUER: &str = "https://auth.coachai.local";
const AUDIENCE: &str = "coachai";
/// How long a minted token stays valid: longer than any run.
const TOKEN_SECS: i64 = 4 * 3600;

/// The database, the signing key and where its JWKS is served.
pub struct Stack {
    db: Db,
    key: Ed25519Key,
    /// URL of the in-process JWKS (`AUTH_JWKS_URL` of the Channel processes).
    pub jwks_url: String,
}

/// One user of a fresh creator, their conversations and a token of theirs.
pub struct Fixture {
    /// The user every conversation belongs to.
    pub user_id: Uuid,
    /// Their conversations, in creation order.
    pub conversations: Vec<Uuid>,
    /// An access token of the user (one token may open many connections).
    pub token: String,
}

impl Stack {
    /// Migrates the dev database, generates a key and serves its JWKS on a free port.
    pub async fn start() -> anyhow::Result<Self> {
        migrate().await?;
        let db = Db::new(db::connect(&env_or("DATABASE_URL", DATABASE_URL), 4).await?);
        let key = Ed25519Key::generate("ws-load");
        let jwks = JwkSet {
            keys: vec![key.public_jwk()],
        };
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr: SocketAddr = listener.local_addr()?;
        let app = Router::new().route("/jwks.json", get(move || async move { Json(jwks) }));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self {
            db,
            key,
            jwks_url: format!("http://{addr}/jwks.json"),
        })
    }

    /// The environment every Channel process of the run shares (database, Redis, JWKS, JWT).
    pub fn channel_env(&self) -> Vec<(String, String)> {
        let vars = [
            ("DATABASE_URL", env_or("DATABASE_URL", DATABASE_URL)),
            ("REDIS_URL", env_or("REDIS_URL", REDIS_URL)),
            ("AUTH_JWKS_URL", self.jwks_url.clone()),
            ("JWT_ISSUER", ISSUER.to_owned()),
            ("JWT_AUDIENCE", AUDIENCE.to_owned()),
        ];
        vars.into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect()
    }

    /// A new creator, a client user of it with `conversations` conversations, and their token.
    pub async fn fixture(&self, conversations: usize) -> anyhow::Result<Fixture> {
        let creator = CreatorId(Uuid::new_v4());
        let user_id = Uuid::new_v4();
        let mut tx = self.db.begin_for(creator).await?;
        let slug = format!("wsload-{}", &creator.0.simple().to_string()[..12]);
        sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, 'WS load')")
            .bind(creator.0)
            .bind(slug)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO users (id, creator_id, email, role) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(creator.0)
            .bind(format!("{}@example.com", user_id.simple()))
            .bind(Role::Client.as_str())
            .execute(tx.conn())
            .await?;
        let ids: Vec<Uuid> = (0..conversations).map(|_| Uuid::new_v4()).collect();
        sqlx::query(
            "INSERT INTO conversations (id, creator_id, user_id) \
             SELECT id, $2, $3 FROM UNNEST($1::uuid[]) AS t(id)",
        )
        .bind(&ids)
        .bind(creator.0)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(Fixture {
            user_id,
            conversations: ids,
            token: self.token(creator, user_id)?,
        })
    }

    /// An access token of `user_id` in `creator`, signed with the served key.
    fn token(&self, creator: CreatorId, user_id: Uuid) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id,
            exp: now + TOKEN_SECS,
            iat: now,
            nbf: now,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role: Role::Client,
        };
        Ok(self.key.sign(&claims)?)
    }
}

/// Applies this checkout's pending migrations as the owner; a database that already has a
/// migration this checkout lacks is used as it is, with a notice.
async fn migrate() -> anyhow::Result<()> {
    let owner = env_or("MIGRATION_DATABASE_URL", MIGRATION_DATABASE_URL);
    match db::migrate(&owner).await {
        Ok(_) => Ok(()),
        Err(MigrateError::Migrate(sqlx::migrate::MigrateError::VersionMissing(version))) => {
            println!(
                "the dev database has migration {version}, which this checkout lacks; going on \
                 (the bench needs only creators, users and conversations)"
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// `name` from the environment, else `default`.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
