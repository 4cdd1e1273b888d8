//! The service's outer shell: health shape and degradation, OpenAPI, metrics, 404 problems.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
#[path = "../../../tests/shared/service_shell.rs"]
mod service_shell;

use axum::Router;
use coachai_ai_engine::assembly::Engine;
use coachai_ai_engine::{Config, DEFAULT_PORT, PREFIX, SERVICE, router_with_engine};
use coachai_common::config::CommonConfig;

async fn app(common: CommonConfig) -> Router {
    let config = Config {
        common,
        port: DEFAULT_PORT,
    };
    let state = service_shell::state(&config.common).await;
    // The service's surface without its background tasks (no worker takes other tests' jobs).
    let engine = Engine::build(&state, &config).expect("the engine assembles");
    router_with_engine(state, &config, &engine)
}

shell_tests!(app, PREFIX, SERVICE);
