//! Creator Hub service: creator profile and settings, content library, uploads and ingestion jobs.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only hands it to [`coachai_common::service::run`].
//! Today: the profile and settings (`GET|PATCH /{creator_id}`), the content library
//! (`/{creator_id}/content...`: JSON and multipart file uploads, list, read, chunks, change,
//! delete) and statistics; new versions follow (issue 8).

pub mod models;
pub mod routes;
pub mod store;

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::service::ServiceConfig;
use coachai_common::state::CoreState;

/// Name of the service in health reports, logs and metrics.
pub const SERVICE: &str = "creator-hub";
/// URL prefix of every route of this service.
pub const PREFIX: &str = "/api/v1/creators";

/// Port used unless `PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 8002;

/// The service's configuration: only the shared settings and its port.
pub type Config = ServiceConfig;

/// The dependency checks of this service.
pub fn health(state: &CoreState, config: &Config) -> Health {
    state.base_health(SERVICE, &config.common).optional(
        "chromadb",
        coachai_common::health::HttpGet::new(format!(
            "{}/api/v2/heartbeat",
            config.common.chroma_url
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
        pages: None,
    })
}
