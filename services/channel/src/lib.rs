//! Channel service: WebSocket chat, the web chat page, messaging webhooks and delivery.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only hands it to [`coachai_common::service::run`].

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::service::ServiceConfig;
use coachai_common::state::CoreState;
use utoipa_axum::router::OpenApiRouter;

pub mod protocol;

/// Name of the service in health reports, logs and metrics.
pub const SERVICE: &str = "channel";
/// URL prefix of every route of this service.
pub const PREFIX: &str = "/api/v1/channels";

/// Port used unless `PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 8004;

/// The service's configuration: only the shared settings and its port.
pub type Config = ServiceConfig;

/// The dependency checks of this service.
pub fn health(state: &CoreState, config: &Config) -> Health {
    state.base_health(SERVICE, &config.common)
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
