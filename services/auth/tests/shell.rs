//! The service's outer shell: health shape and degradation, OpenAPI, metrics, 404 problems.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
#[path = "../../../tests/shared/service_shell.rs"]
mod service_shell;

use axum::Router;
use coachai_auth::{AuthState, Config, PREFIX, SERVICE, router};
use coachai_common::config::CommonConfig;

async fn app(common: CommonConfig) -> Router {
    let config = Config {
        common,
        ..Config::default()
    };
    router(AuthState::connect(&config).await.unwrap(), &config)
}

shell_tests!(app, PREFIX, SERVICE);
