//! Typed configuration read from environment variables, with defaults that match `make up`.
//!
//! Each service embeds [`CommonConfig`] and adds its own fields; the same variable names are
//! used locally (`scripts/env.sh`) and in Kubernetes (the `Platform` reconciler sets them).

use figment::Figment;
use figment::providers::{Env, Serialized};
use serde::{Deserialize, Serialize};

/// Settings every service shares.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommonConfig {
    /// PostgreSQL URL of the `coachai_app` role (never a role that bypasses RLS).
    pub database_url: String,
    /// Maximum pooled PostgreSQL connections per service process.
    pub database_max_connections: u32,
    /// Redis URL for caches, rate counters and pub/sub; optional at runtime.
    pub redis_url: String,
    /// ChromaDB base URL.
    pub chroma_url: String,
    /// Ollama base URL.
    pub ollama_url: String,
    /// Where verifiers fetch the Auth service's signing keys.
    pub auth_jwks_url: String,
    /// Expected `iss` of access tokens.
    pub jwt_issuer: String,
    /// Expected `aud` of access tokens.
    pub jwt_audience: String,
    /// Address the service binds (`0.0.0.0` in containers).
    pub bind_addr: String,
    /// Largest JSON request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// `json` for structured logs, `pretty` for a terminal.
    pub log_format: String,
}

impl Default for CommonConfig {
    fn default() -> Self {
        Self {
            database_url: "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai".into(),
            database_max_connections: 20,
            redis_url: "redis://127.0.0.1:63799".into(),
            chroma_url: "http://127.0.0.1:58000".into(),
            ollama_url: "http://127.0.0.1:11434".into(),
            auth_jwks_url: "http://127.0.0.1:8001/api/v1/auth/.well-known/jwks.json".into(),
            jwt_issuer: "https://auth.coachai.local".into(),
            jwt_audience: "coachai".into(),
            bind_addr: "127.0.0.1".into(),
            body_limit_bytes: 1024 * 1024,
            log_format: "json".into(),
        }
    }
}

/// A configuration error: a variable is set but cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    /// An error with this description.
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}

/// Loads `T` from its defaults overlaid with environment variables named after its fields in
/// upper case (`DATABASE_URL`, `BODY_LIMIT_BYTES`, ...).
pub fn load<T>() -> Result<T, ConfigError>
where
    T: Serialize + for<'de> Deserialize<'de> + Default,
{
    Figment::from(Serialized::defaults(T::default()))
        .merge(Env::raw().lowercase(true))
        .extract()
        .map_err(|e| ConfigError(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_local_stack() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            let config: CommonConfig = load().map_err(|e| e.to_string())?;
            assert!(config.database_url.contains(":54329/coachai"));
            assert!(config.database_url.starts_with("postgres://coachai_app:"));
            Ok(())
        });
    }

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("BODY_LIMIT_BYTES", "2048");
            jail.set_env("REDIS_URL", "redis://example:6379");
            let config: CommonConfig = load().map_err(|e| e.to_string())?;
            assert_eq!(config.body_limit_bytes, 2048);
            assert_eq!(config.redis_url, "redis://example:6379");
            Ok(())
        });
    }

    #[test]
    fn unparsable_values_are_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("BODY_LIMIT_BYTES", "lots");
            let err = load::<CommonConfig>().unwrap_err();
            assert!(err.to_string().contains("BODY_LIMIT_BYTES"), "{err}");
            Ok(())
        });
    }
}
