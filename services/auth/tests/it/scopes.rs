//! API key scopes are enforced by the shared authenticator on every route: a route accepts a
//! key only when it declares the scope it needs, and only keys holding that scope pass.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use coachai_common::auth::Principal;
use coachai_common::auth::scope::{Scope, require_scope};
use serde_json::json;
use tower::ServiceExt;
use utoipa_axum::router::OpenApiRouter;

use crate::harness::{App, Session};

async fn create_key(app: &App, owner: &Session, scopes: &[&str]) -> String {
    let reply = app
        .post(
            "/api-keys",
            &json!({"name": "integration", "scopes": scopes}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["key"].as_str().unwrap().to_owned()
}

/// A content-write route as the Creator Hub declares it, on the Auth service's authenticator.
fn content_write_route(app: &App) -> Router {
    let write = OpenApiRouter::new().route(
        "/content",
        post(|principal: Principal| async move { principal.user_id.to_string() }),
    );
    let (router, _) = require_scope(write, Scope::ContentWrite).split_for_parts();
    router.with_state(app.state.clone())
}

async fn status_of(router: &Router, bearer: &str) -> StatusCode {
    let request = Request::post("/content")
        .header("authorization", format!("Bearer {bearer}"))
        .body(Body::empty())
        .unwrap();
    router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn a_chat_only_key_is_refused_on_content_writes_and_a_content_write_key_is_not() {
    let app = App::new().await;
    let owner = app.signup().await;
    let route = content_write_route(&app);
    let chat = create_key(&app, &owner, &["chat"]).await;
    let reader = create_key(&app, &owner, &["chat", "content:read"]).await;
    let writer = create_key(&app, &owner, &["content:write"]).await;
    let admin = create_key(&app, &owner, &["admin"]).await;
    assert_eq!(status_of(&route, &chat).await, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&route, &reader).await, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&route, &writer).await, StatusCode::OK);
    assert_eq!(status_of(&route, &admin).await, StatusCode::OK);
    assert_eq!(
        status_of(&route, &owner.access).await,
        StatusCode::OK,
        "people use roles"
    );
}

#[tokio::test]
async fn the_refusal_names_the_missing_scope() {
    let app = App::new().await;
    let owner = app.signup().await;
    let chat = create_key(&app, &owner, &["chat"]).await;
    let request = Request::post("/content")
        .header("authorization", format!("Bearer {chat}"))
        .body(Body::empty())
        .unwrap();
    let response = content_write_route(&app).oneshot(request).await.unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("content:write"),
        "{body}"
    );
}

#[tokio::test]
async fn routes_that_declare_no_scope_refuse_every_key_even_admin() {
    let app = App::new().await;
    let owner = app.signup().await;
    let admin = create_key(&app, &owner, &["admin"]).await;
    app.get("/users", &admin).await.problem(403);
    app.post(
        "/invitations",
        &json!({"email": "x@example.org"}),
        Some(&admin),
    )
    .await
    .problem(403);
    assert_eq!(
        app.get("/me", &admin).await.status,
        200,
        "identity accepts any key"
    );
}

#[tokio::test]
async fn keys_with_unknown_scopes_are_not_created() {
    let app = App::new().await;
    let owner = app.signup().await;
    let reply = app
        .post(
            "/api-keys",
            &json!({"name": "x", "scopes": ["content:delete"]}),
            Some(&owner.access),
        )
        .await
        .problem(422);
    assert!(
        reply.body.to_string().contains("unknown scope"),
        "{}",
        reply.body
    );
}
