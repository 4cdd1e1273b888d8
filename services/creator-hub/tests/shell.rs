//! The service's outer shell: health shape and degradation, OpenAPI, metrics, 404 problems.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
#[path = "../../../tests/shared/service_shell.rs"]
mod service_shell;

use axum::Router;
use coachai_common::config::CommonConfig;
use coachai_creator_hub::{Config, DEFAULT_PORT, PREFIX, SERVICE, router};

async fn app(common: CommonConfig) -> Router {
    let config = Config {
        common,
        port: DEFAULT_PORT,
    };
    router(service_shell::state(&config.common).await, &config)
}

shell_tests!(app, PREFIX, SERVICE);
