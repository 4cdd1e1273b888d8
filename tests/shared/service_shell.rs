//! Checks every service's outer shell the same way: `<prefix>health` (exact JSON shape,
//! `healthy`/`degraded`/503 `unhealthy`), `<prefix>openapi.json`, `/metrics`, and problem+json
//! for unknown routes. Included by each service's `tests/shell.rs` with `#[path]`, which then
//! calls [`shell_tests!`] with an `async fn app(CommonConfig) -> Router` of its own.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use coachai_common::config::CommonConfig;
use coachai_common::state::CoreState;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A configuration pointing at the local stack (environment overrides apply).
pub fn local_config() -> CommonConfig {
    coachai_common::config::load().expect("configuration loads")
}

/// The same configuration with Redis pointing at a port where nothing listens.
pub fn config_without_redis() -> CommonConfig {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    CommonConfig {
        redis_url: format!("redis://127.0.0.1:{port}"),
        ..local_config()
    }
}

/// Connects the shared state for `config`.
pub async fn state(config: &CommonConfig) -> CoreState {
    CoreState::connect(config)
        .await
        .expect("the local stack is running")
}

/// GETs `path` and returns status, content type and the JSON (or text as a JSON string) body.
pub async fn get(router: Router, path: &str) -> (StatusCode, String, Value) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, content_type, body)
}

/// Asserts the exact health document and returns it.
pub async fn health(router: Router, prefix: &str, service: &str) -> (StatusCode, Value) {
    let (status, content_type, body) = get(router, &format!("{prefix}/health")).await;
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let object = body.as_object().expect("health is a JSON object");
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["checks", "service", "status", "timestamp"], "{body}");
    assert_eq!(body["service"], service);
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{timestamp}"
    );
    for (name, check) in body["checks"].as_object().unwrap() {
        assert_check(name, check);
    }
    (status, body)
}

/// One check of a health document: a down check names the kind of failure in fixed words,
/// never the dependency's own error.
fn assert_check(name: &str, check: &Value) {
    assert!(check["required"].is_boolean(), "{name}");
    assert!(check["latency_ms"].is_u64(), "{name}");
    let detail = check.get("detail").map(|d| d.as_str().unwrap());
    match check["status"].as_str() {
        Some("up") => assert_eq!(detail, None, "{name}: {check}"),
        Some("down") => assert!(
            matches!(
                detail,
                Some("unreachable" | "unexpected answer" | "timed out")
            ),
            "{name}: {check}"
        ),
        _ => panic!("{name}: status is neither up nor down: {check}"),
    }
    assert!(check.as_object().unwrap().len() <= 4, "{name}: {check}");
}

/// Asserts the OpenAPI document, the metrics endpoint and problem+json for unknown routes.
pub async fn shell(router: Router, prefix: &str) {
    openapi(router.clone(), prefix).await;
    metrics(router.clone(), prefix).await;
    unknown_route(router, prefix).await;
}

async fn openapi(router: Router, prefix: &str) {
    let (status, _, doc) = get(router, &format!("{prefix}/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    assert!(
        doc["paths"].get(format!("{prefix}/health")).is_some(),
        "health is documented"
    );
    let info = &doc["info"];
    assert!(
        info["title"].as_str().unwrap().starts_with("CoachAI "),
        "{info}"
    );
    assert!(
        info.get("contact").is_none(),
        "no third party is named as the contact: {info}"
    );
    assert_eq!(info["license"]["name"], env!("CARGO_PKG_LICENSE"), "{info}");
}

async fn metrics(router: Router, prefix: &str) {
    let (status, _, _) = get(router.clone(), &format!("{prefix}/health")).await;
    assert!(status.is_success() || status == StatusCode::SERVICE_UNAVAILABLE);
    let (status, _, metrics) = get(router, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        metrics.as_str().unwrap().contains("http_requests_total"),
        "{metrics}"
    );
}

async fn unknown_route(router: Router, prefix: &str) {
    // Deeper than any route, so no `/{creator_id}/...` pattern can match it.
    let path = format!("{prefix}/no-such-thing/at/any/depth/of/routes");
    let (status, content_type, problem) = get(router, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 404);
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .starts_with("https://coachai.dev/problems/")
    );
}

/// The three shell tests of a service: `shell_tests!(app, PREFIX, SERVICE)`.
macro_rules! shell_tests {
    ($app:ident, $prefix:expr, $service:expr) => {
        #[tokio::test]
        async fn health_has_the_exact_shape_and_reports_postgres_up() {
            let app = $app(crate::service_shell::local_config()).await;
            let (status, body) = crate::service_shell::health(app, $prefix, $service).await;
            assert_eq!(status, axum::http::StatusCode::OK);
            assert!(
                matches!(body["status"].as_str(), Some("healthy" | "degraded")),
                "{body}"
            );
            assert_eq!(body["checks"]["postgres"]["status"], "up");
            assert_eq!(body["checks"]["postgres"]["required"], true);
        }

        #[tokio::test]
        async fn health_is_degraded_when_redis_is_down() {
            let app = $app(crate::service_shell::config_without_redis()).await;
            let (status, body) = crate::service_shell::health(app, $prefix, $service).await;
            assert_eq!(status, axum::http::StatusCode::OK);
            assert_eq!(body["status"], "degraded");
            assert_eq!(body["checks"]["redis"]["status"], "down");
            assert_eq!(body["checks"]["redis"]["required"], false);
            assert_eq!(body["checks"]["redis"]["detail"], "unreachable");
        }

        #[tokio::test]
        async fn openapi_metrics_and_unknown_routes_answer_properly() {
            let app = $app(crate::service_shell::local_config()).await;
            assert!($prefix.starts_with("/api/v1/"));
            crate::service_shell::shell(app, $prefix).await;
        }
    };
}
