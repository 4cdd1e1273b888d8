//! The HTTP shell every service shares: bad bodies become problems, request ids round-trip.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use coachai_common::health::Health;
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
    let api = OpenApiRouter::new().route("/notes", axum::routing::post(create));
    service_router(ServiceParts {
        service: "test",
        prefix: "/api/v1/test",
        api,
        health: Health::new("test"),
        body_limit: 256,
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
