//! Bad input to `PATCH /api/v1/creators/{id}`: each answer is a 4xx problem+json naming what to
//! fix, and nothing is stored.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::{Value, json};

use crate::harness::Hub;

async fn refused(hub: &Hub, body: Value, field: &str) {
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let before = hub.get(creator, &owner).await.body;
    let reply = hub.patch(creator, &owner, &body).await.problem(422);
    let errors = reply.body["errors"].to_string();
    assert!(errors.contains(field), "{field} in {}", reply.body);
    let mut tx = hub.tenant(creator).await;
    let name: String = sqlx::query_scalar("SELECT display_name FROM creators")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(name, before["display_name"], "nothing stored for {body}");
}

#[tokio::test]
async fn invalid_fields_are_refused_with_field_errors() {
    let hub = Hub::new().await;
    let long = "x".repeat(10_000);
    refused(&hub, json!({"display_name": long}), "display_name").await;
    refused(&hub, json!({"display_name": ""}), "display_name").await;
    refused(&hub, json!({"display_name": "two\nlines"}), "display_name").await;
    refused(&hub, json!({"bio": "b".repeat(2001)}), "bio").await;
    refused(
        &hub,
        json!({"branding": {"primary_color": "teal"}}),
        "primary_color",
    )
    .await;
    refused(
        &hub,
        json!({"branding": {"avatar_url": "javascript:alert(1)"}}),
        "avatar_url",
    )
    .await;
    refused(
        &hub,
        json!({"allowed_origins": ["https://ok.example.com/path"]}),
        "allowed_origins",
    )
    .await;
    refused(&hub, json!({"chat_model": "llama; rm -rf /"}), "chat_model").await;
    let many: Vec<String> = (0..51).map(|i| format!("topic {i}")).collect();
    refused(
        &hub,
        json!({"display_name": "ok", "persona": {"avoid_topics": many}}),
        "avoid_topics",
    )
    .await;
}

#[tokio::test]
async fn read_only_and_unknown_fields_are_refused() {
    let hub = Hub::new().await;
    refused(
        &hub,
        json!({"display_name": "ok", "quotas": {"documents": 100000}}),
        "quotas",
    )
    .await;
    refused(
        &hub,
        json!({"display_name": "ok", "slug": "taken-over"}),
        "slug",
    )
    .await;
}

#[tokio::test]
async fn malformed_bodies_get_400_and_415() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let path = format!("/{creator}");
    hub.call(Method::PATCH, &path, &owner, Some("{\"bio\": "))
        .await
        .problem(400);
    let request = axum::http::Request::builder()
        .method(Method::PATCH)
        .uri(format!("/api/v1/creators{path}"))
        .header("authorization", format!("Bearer {owner}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("bio=hi"))
        .unwrap();
    let response = tower::ServiceExt::oneshot(hub.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}
