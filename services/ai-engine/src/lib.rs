//! AI Engine service: RAG chat over Ollama and ChromaDB, embeddings, model registry and prompt templates.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only hands it to [`coachai_common::service::run`].

pub mod breaker;
pub mod chat;
pub mod ollama;
pub mod prompts;
pub mod routes;
pub mod worker;

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::service::ServiceConfig;
use coachai_common::state::CoreState;

pub mod vectors;

/// Name of the service in health reports, logs and metrics.
pub const SERVICE: &str = "ai-engine";
/// URL prefix of every route of this service.
pub const PREFIX: &str = "/api/v1/ai";

/// Port used unless `PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 8003;

/// The service's configuration: only the shared settings and its port.
pub type Config = ServiceConfig;

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
    let api = routes::api(state.clone());
    service_router(ServiceParts {
        service: SERVICE,
        prefix: PREFIX,
        api,
        health: health(&state, config),
        body_limit: config.common.body_limit_bytes,
    })
}
