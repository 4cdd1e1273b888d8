//! The HTTP shell every service shares: bad bodies become problems, request ids round-trip.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use coachai_common::health::{self, Health, HttpGet};
use coachai_common::http::{ServiceParts, service_router};
use coachai_common::json::ApiJson;
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceExt;
use utoipa_axum::router::OpenApiRouter;

#[derive(Debug, Deserialize, garde::Validate)]
#[serde(deny_unknown_fields)]
struct Note {
    #[garde(length(min = 1, max = 50))]
    title: String,
}

async fn create(ApiJson(note): ApiJson<Note>) -> String {
    note.title
}

fn app() -> axum::Router {
    app_with(Health::new("test"))
}

fn app_with(health: Health) -> axum::Router {
    let api = OpenApiRouter::new().route("/notes", axum::routing::post(create));
    service_router(ServiceParts {
        service: "test",
        prefix: "/api/v1/test",
        api,
        health,
        body_limit: 256,
        pages: None,
    })
}

async fn post(content_type: &str, body: Vec<u8>) -> (StatusCode, String, serde_json::Value) {
    let request = Request::post("/api/v1/test/notes")
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let ct = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        ct,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

#[tokio::test]
async fn an_oversize_body_is_413_problem_json() {
    let body = format!(r#"{{"title":"{}"}}"#, "x".repeat(10_000)).into_bytes();
    let (status, content_type, problem) = post("application/json", body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(problem["status"], 413);
}

#[tokio::test]
async fn bad_bodies_are_problems_with_a_clear_detail() {
    let cases: [(&str, &[u8], u16); 5] = [
        ("text/plain", br#"{"title":"a"}"#, 415),
        ("application/json", b"{\"title\":", 400),
        ("application/json", br#"{"title":"a","admin":true}"#, 422),
        ("application/json", br#"{"title":""}"#, 422),
        ("application/json", b"\xff\xfe", 400),
    ];
    for (content_type, body, expected) in cases {
        let (status, ct, problem) = post(content_type, body.to_vec()).await;
        assert_eq!(status.as_u16(), expected, "{problem}");
        assert_eq!(ct, "application/problem+json");
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn validation_problems_name_the_field() {
    let (_, _, problem) = post("application/json", br#"{"title":""}"#.to_vec()).await;
    assert_eq!(problem["errors"][0]["field"], "title");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let request = Request::get("/api/v1/test/health")
        .header("x-request-id", "req-123")
        .body(Body::empty())
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-123");
    let request = Request::get("/api/v1/test/health")
        .body(Body::empty())
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    let generated = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID is generated: {generated}");
}

#[tokio::test]
async fn a_wrong_method_is_405_problem_json() {
    let request = Request::get("/api/v1/test/notes")
        .body(Body::empty())
        .unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
}

/// A local port where nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn health_reports_down_dependencies_without_addresses_or_driver_errors() {
    let port = closed_port();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy(&format!(
            "postgres://coachai_app:s3cret@127.0.0.1:{port}/coachai"
        ))
        .unwrap();
    let health = Health::new("test")
        .required("postgres", health::Postgres(pool))
        .optional(
            "redis",
            coachai_common::state::RedisPing(format!("redis://127.0.0.1:{port}")),
        )
        .optional(
            "chroma",
            HttpGet::new(format!("http://127.0.0.1:{port}/api/v2/heartbeat")),
        );
    let request = Request::get("/api/v1/test/health")
        .body(Body::empty())
        .unwrap();
    let response = app_with(health).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for leak in [
        port.to_string().as_str(),
        "127.0.0.1",
        "s3cret",
        "refused",
        "os error",
        "pool",
    ] {
        assert!(
            !text.contains(leak),
            "the health body reveals `{leak}`: {text}"
        );
    }
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], "unhealthy");
    for name in ["postgres", "redis", "chroma"] {
        let check = body["checks"][name].as_object().unwrap();
        let mut keys: Vec<_> = check.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["detail", "latency_ms", "required", "status"],
            "{name}"
        );
        assert_eq!(check["status"], "down", "{name}");
        assert_eq!(check["detail"], "unreachable", "{name}");
    }
}
