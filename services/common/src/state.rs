//! The state every service starts from: database, authenticator, cache.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::api_keys::ApiKeyStore;
use crate::auth::{Authenticator, JwtVerifier, Revocations};
use crate::cache::{Cache, CacheOptions};
use crate::config::CommonConfig;
use crate::db::{self, DbError};
use crate::health::{self, Health, ProbeError};
use crate::tenancy::Db;

/// Shared handles; services embed it in their own state and derive `FromRef` through it.
#[derive(Clone)]
pub struct CoreState {
    /// PostgreSQL as `coachai_app`.
    pub db: Db,
    /// Verifies bearer credentials.
    pub authenticator: Authenticator,
    /// Tenant-prefixed Redis cache.
    pub cache: Arc<Cache>,
}

impl CoreState {
    /// Connects to PostgreSQL (failing fast with the URL, password hidden) and prepares the
    /// cache and a JWKS-backed verifier.
    pub async fn connect(config: &CommonConfig) -> Result<Self, DbError> {
        let pool = db::connect(&config.database_url, config.database_max_connections).await?;
        let verifier = JwtVerifier::remote(
            &config.auth_jwks_url,
            &config.jwt_issuer,
            &config.jwt_audience,
        );
        let db = Db::new(pool);
        let authenticator = Authenticator::new(
            Arc::new(verifier),
            Arc::new(Revocations::new(&config.redis_url)),
        )
        .with_api_keys(Arc::new(ApiKeyStore::new(db.clone())));
        Ok(Self {
            db,
            authenticator,
            cache: Arc::new(Cache::new(&config.redis_url, CacheOptions::default())),
        })
    }

    /// The health checks every service shares: PostgreSQL (required) and Redis (optional).
    pub fn base_health(&self, service: &'static str, config: &CommonConfig) -> Health {
        Health::new(service)
            .required("postgres", health::Postgres(self.db.preauth().clone()))
            .optional("redis", RedisPing(config.redis_url.clone()))
    }
}

/// Probes Redis with `PING` on a fresh connection, independent of the cache's breaker.
pub struct RedisPing(pub String);

impl health::Check for RedisPing {
    fn probe(&self) -> futures::future::BoxFuture<'_, Result<(), ProbeError>> {
        let unreachable = |e: redis::RedisError| ProbeError::Unreachable(e.to_string());
        Box::pin(async move {
            let client = redis::Client::open(self.0.as_str()).map_err(unreachable)?;
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .map_err(unreachable)?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .map(|_| ())
                .map_err(|e| ProbeError::BadAnswer(e.to_string()))
        })
    }
}

impl FromRef<CoreState> for Db {
    fn from_ref(state: &CoreState) -> Self {
        state.db.clone()
    }
}

impl FromRef<CoreState> for Authenticator {
    fn from_ref(state: &CoreState) -> Self {
        state.authenticator.clone()
    }
}
