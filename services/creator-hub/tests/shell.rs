//! The service's outer shell: health shape and degradation, OpenAPI, metrics, 404 problems.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/shared/service_shell.rs"]
mod service_shell;

use axum::http::StatusCode;
use coachai_creator_hub::{Config, PREFIX, SERVICE, router};
use service_shell::{config_without_redis, health, local_config, shell, state};

fn config(common: coachai_common::config::CommonConfig) -> Config {
    Config {
        common,
        ..Config::default()
    }
}

#[tokio::test]
async fn health_has_the_exact_shape_and_reports_postgres_up() {
    let config = config(local_config());
    let app = router(state(&config.common).await, &config);
    let (status, body) = health(app, PREFIX, SERVICE).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        matches!(body["status"].as_str(), Some("healthy" | "degraded")),
        "{body}"
    );
    assert_eq!(body["checks"]["postgres"]["status"], "up");
    assert_eq!(body["checks"]["postgres"]["required"], true);
}

#[tokio::test]
async fn health_is_degraded_when_redis_is_down() {
    let config = config(config_without_redis());
    let app = router(state(&config.common).await, &config);
    let (status, body) = health(app, PREFIX, SERVICE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["checks"]["redis"]["status"], "down");
    assert_eq!(body["checks"]["redis"]["required"], false);
}

#[tokio::test]
async fn openapi_metrics_and_unknown_routes_answer_properly() {
    let config = config(local_config());
    let app = router(state(&config.common).await, &config);
    assert!(PREFIX.starts_with("/api/v1/"));
    shell(app, PREFIX).await;
}
