//! Auth service: sign-up, login, JWT access tokens, refresh rotation, API keys and JWKS.
//!
//! Exposes [`router`] over an [`AuthState`]; [`run`] (what `main.rs` and `coachai serve auth`
//! call) only reads [`Config`], builds the state and serves. Credentials are checked before any tenant is known through narrow `SECURITY
//! DEFINER` look-ups ([`store::lookup`]); everything else runs in a tenant transaction.

pub mod api_keys;
pub mod config;
pub mod dependencies;
pub mod keys;
pub mod models;
pub mod password;
pub mod routes;
pub mod state;
pub mod store;
pub mod tokens;

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::{http, telemetry};

pub use config::Config;
pub use state::AuthState;

/// Name of the service in health reports, logs and metrics.
pub const SERVICE: &str = "auth";
/// URL prefix of every route of this service.
pub const PREFIX: &str = "/api/v1/auth";

/// The dependency checks of this service.
pub fn health(state: &AuthState, config: &Config) -> Health {
    state.core.base_health(SERVICE, &config.common)
}

/// The complete HTTP surface of the service.
pub fn router(state: AuthState, config: &Config) -> Router {
    let health = health(&state, config);
    service_router(ServiceParts {
        service: SERVICE,
        prefix: PREFIX,
        api: routes::api(state),
        health,
        body_limit: config.common.body_limit_bytes,
        pages: None,
    })
}

/// Reads [`Config`] from the environment, connects, and serves until SIGTERM or Ctrl-C.
pub async fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init_logging(&config.common.log_format);
    let state = AuthState::connect(&config).await?;
    http::serve(router(state, &config), &config.listen_addr()).await?;
    Ok(())
}
