//! AI Engine service: RAG chat over Ollama and ChromaDB, embeddings, model registry and prompt templates.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only hands it to [`coachai_common::service::run`].
//! Today: the model registry (`/models`, `/models/pull`, [`registry::ModelRegistry`] for the
//! chat path) and the caller's conversations (`/conversations...`, [`conversations`]).

pub mod assembly;
pub mod breaker;
pub mod chat;
pub mod conversations;
pub mod ollama;
pub mod prompts;
pub mod registry;
pub mod routes;
pub mod worker;

use std::sync::Arc;

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::service::ServiceConfig;
use coachai_common::state::CoreState;
use utoipa_axum::router::OpenApiRouter;

pub mod vectors;

use registry::ModelRegistry;

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

/// The complete HTTP surface of the service. With a running Tokio runtime it also starts the
/// model registry's refresher and the embedding workers ([`assembly::Engine`]). When the
/// engine cannot be assembled (an unusable `OLLAMA_URL`), only the prompt and conversation
/// routes are served and the error is logged.
pub fn router(state: CoreState, config: &Config) -> Router {
    match assembly::Engine::build(&state, config) {
        Ok(engine) => {
            if tokio::runtime::Handle::try_current().is_ok() {
                engine.start_background(&tokio_util::sync::CancellationToken::new());
            }
            router_with_engine(state, config, &engine)
        }
        Err(e) => {
            tracing::error!(error = %e, "serving without the model and chat routes");
            let api = routes::api(state.clone()).merge(routes::conversations::api(state.clone()));
            router_with_api(state, config, api)
        }
    }
}

/// The complete HTTP surface over a given model registry, with default engine settings
/// (tests pass a registry on an Ollama double; nothing is spawned).
pub fn router_with(state: CoreState, config: &Config, registry: Arc<ModelRegistry>) -> Router {
    let settings = assembly::EngineSettings::default();
    match assembly::Engine::with_registry(&state, config, registry.clone(), settings) {
        Ok(engine) => router_with_engine(state, config, &engine),
        Err(e) => {
            tracing::error!(error = %e, "serving without the chat route");
            let api = routes::api(state.clone())
                .merge(routes::models::api(state.clone(), registry))
                .merge(routes::conversations::api(state.clone()));
            router_with_api(state, config, api)
        }
    }
}

/// The complete HTTP surface over an assembled engine (nothing is spawned). Its `/health`
/// also reports the chat model's breaker (`ollama_breaker`: down while it is open).
pub fn router_with_engine(state: CoreState, config: &Config, engine: &assembly::Engine) -> Router {
    let api = routes::api(state.clone())
        .merge(routes::models::api(state.clone(), engine.registry.clone()))
        .merge(routes::conversations::api(state.clone()))
        .merge(routes::chat::api(state.clone(), engine.chat.clone()));
    let breaker = breaker::BreakerCheck(engine.chat.breaker.clone());
    let health = health(&state, config).optional("ollama_breaker", breaker);
    with_health(config, api, health)
}

fn router_with_api(state: CoreState, config: &Config, api: OpenApiRouter) -> Router {
    with_health(config, api, health(&state, config))
}

fn with_health(config: &Config, api: OpenApiRouter, health: Health) -> Router {
    service_router(ServiceParts {
        service: SERVICE,
        prefix: PREFIX,
        api,
        health,
        body_limit: config.common.body_limit_bytes,
        pages: None,
    })
}
