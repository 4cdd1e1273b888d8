//! Channel service: WebSocket chat, the web chat page, messaging webhooks and delivery.
//!
//! Exposes [`router`] over a [`CoreState`]; `main.rs` only hands it to [`coachai_common::service::run`].

use std::sync::Arc;

use axum::Router;
use coachai_common::health::Health;
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::service::ServiceConfig;
use coachai_common::state::CoreState;

pub mod answer;
pub mod events;
pub mod handoff;
pub mod hub;
pub mod messaging;
pub mod pages;
pub mod protocol;
pub mod public;
pub mod settings;
pub mod tickets;
pub mod ws;

pub use settings::ChannelSettings;
pub use ws::Channel;

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

/// The complete HTTP surface of the service, its settings read from the environment (an
/// unusable value is logged and the defaults are used).
pub fn router(state: CoreState, config: &Config) -> Router {
    let settings = ChannelSettings::from_env().unwrap_or_else(|e| {
        tracing::error!(error = %e, "using the default Channel settings");
        ChannelSettings::default()
    });
    router_with(state, config, settings)
}

/// The service with explicit `settings`.
pub fn router_with(state: CoreState, config: &Config, settings: ChannelSettings) -> Router {
    let messaging = Arc::new(messaging::Messaging::new(
        settings.clone(),
        state.clone(),
        &config.common.redis_url,
    ));
    messaging.start();
    let channel = Arc::new(Channel::start(
        settings,
        state.clone(),
        &config.common.redis_url,
    ));
    let api = handoff::api(state.clone(), channel.log.clone())
        .merge(ws::api(state.clone(), channel))
        .merge(public::api(state.clone()))
        .merge(messaging::api(state.clone(), messaging));
    service_router(ServiceParts {
        service: SERVICE,
        prefix: PREFIX,
        api,
        health: health(&state, config),
        body_limit: config.common.body_limit_bytes,
        pages: Some(pages::router(state)),
    })
}
