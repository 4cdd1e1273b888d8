//! AI Engine service: RAG chat over Ollama and ChromaDB, embeddings, model registry and prompt templates.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only reads [`Config`] and serves.

use axum::Router;
use coachai_common::config::{self, CommonConfig, ConfigError};
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::state::CoreState;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

/// Name of the service in health reports, logs and metrics.
pub const SERVICE: &str = "ai-engine";
/// URL prefix of every route of this service.
pub const PREFIX: &str = "/api/v1/ai";

/// The service's configuration (environment variables, see [`CommonConfig`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Config {
    /// Settings shared by every service.
    #[serde(flatten)]
    pub common: CommonConfig,
    /// TCP port to listen on (`PORT`).
    pub port: u16,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            port: 8003,
        }
    }
}

impl Config {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        config::load()
    }

    /// The address to bind.
    pub fn listen_addr(&self) -> String {
        format!("{}:{}", self.common.bind_addr, self.port)
    }
}

/// The dependency checks of this service.
pub fn health(state: &CoreState, config: &Config) -> Health {
    state
        .base_health(SERVICE, &config.common)
        .optional(
            "chromadb",
            coachai_common::health::HttpGet::new(format!(
                "{}/api/v2/heartbeat",
                config.common.chroma_url
            )),
        )
        .optional(
            "ollama",
            coachai_common::health::HttpGet::new(format!(
                "{}/api/version",
                config.common.ollama_url
            )),
        )
}

/// The complete HTTP surface of the service.
pub fn router(state: CoreState, config: &Config) -> Router {
    let api = OpenApiRouter::new().with_state(state.clone());
    service_router(ServiceParts {
        service: SERVICE,
        prefix: PREFIX,
        api,
        health: health(&state, config),
        body_limit: config.common.body_limit_bytes,
    })
}
