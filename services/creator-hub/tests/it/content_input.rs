//! Bad input to the content routes: each answer is a 4xx problem+json naming what to fix, never
//! a 500, and nothing is stored.

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use coachai_creator_hub::models::content::MAX_BODY_BYTES;
use serde_json::{Value, json};

use crate::harness::Hub;

async fn stored(hub: &Hub, creator: CreatorId) -> i64 {
    let mut tx = hub.tenant(creator).await;
    sqlx::query_scalar("SELECT count(*) FROM content_items")
        .fetch_one(tx.conn())
        .await
        .unwrap()
}

fn upload(title: &str, kind: &str, body: &str) -> Value {
    json!({"title": title, "kind": kind, "body": body})
}

#[tokio::test]
async fn invalid_uploads_are_refused_with_field_errors_and_store_nothing() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let many: Vec<String> = (0..21).map(|i| format!("tag {i}")).collect();
    let mut with_tags = upload("Ok", "text", "Some text.");
    with_tags["tags"] = json!(many);
    let mut long_tag = upload("Ok", "text", "Some text.");
    long_tag["tags"] = json!(["t".repeat(51)]);
    let mut blank_tag = upload("Ok", "text", "Some text.");
    blank_tag["tags"] = json!(["ok", " "]);
    let mut unknown = upload("Ok", "text", "Some text.");
    unknown["owner"] = json!("someone else");
    let cases = [
        (upload("Ok", "text", ""), "body"),
        (upload("Ok", "markdown", " \n\t\n "), "body"),
        (upload(&"t".repeat(10_000), "text", "Some text."), "title"),
        (upload("", "text", "Some text."), "title"),
        (upload("   ", "text", "Some text."), "title"),
        (upload("two\nlines", "text", "Some text."), "title"),
        (upload("bell\u{7}", "text", "Some text."), "title"),
        (
            upload("Ok", "text", &"b".repeat(MAX_BODY_BYTES + 1)),
            "body",
        ),
        (with_tags, "tags"),
        (long_tag, "tags"),
        (blank_tag, "tags"),
        (upload("Ok", "pdf", "Some text."), "kind"),
        (upload("Ok", "video", "Some text."), "kind"),
        (unknown, "owner"),
    ];
    for (body, field) in cases {
        let reply = hub.upload(creator, &owner, &body).await.problem(422);
        assert!(
            reply.body.to_string().contains(field),
            "{field}: {}",
            reply.body
        );
    }
    assert_eq!(stored(&hub, creator).await, 0);
}

#[tokio::test]
async fn malformed_requests_are_400_or_415_problems() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let path = format!("/{creator}/content");
    hub.call(Method::POST, &path, &owner, Some("{not json"))
        .await
        .problem(400);
    let request = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/creators{path}"))
        .header("authorization", format!("Bearer {owner}"))
        .header("content-type", "text/plain");
    let response = tower::ServiceExt::oneshot(
        hub.router.clone(),
        request.body(axum::body::Body::from("hello")).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 415);
    for bad in [
        "not-a-uuid",
        "12345",
        "1%27%3B%20DROP%20TABLE%20content_items",
    ] {
        let item = format!("{path}/{bad}");
        hub.call(Method::GET, &item, &owner, None)
            .await
            .problem(400);
    }
    assert_eq!(stored(&hub, creator).await, 0);
}

#[tokio::test]
async fn invalid_changes_are_refused_and_leave_the_item_as_it_was() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let created = hub
        .upload(creator, &owner, &upload("Kept", "text", "Text."))
        .await;
    let path = format!(
        "/{creator}/content/{}",
        created.body["id"].as_str().unwrap()
    );
    let many: Vec<String> = (0..21).map(|i| format!("tag {i}")).collect();
    for (change, field) in [
        (json!({"title": ""}), "title"),
        (json!({"title": "x".repeat(301)}), "title"),
        (json!({"title": "tab\there"}), "title"),
        (json!({"title": " "}), "title"),
        (json!({"tags": many}), "tags"),
        (json!({"body": "new text"}), "body"),
        (json!({"status": "ready"}), "status"),
    ] {
        let text = change.to_string();
        let reply = hub
            .call(Method::PATCH, &path, &owner, Some(&text))
            .await
            .problem(422);
        assert!(
            reply.body.to_string().contains(field),
            "{field}: {}",
            reply.body
        );
    }
    let now = hub.call(Method::GET, &path, &owner, None).await.body;
    assert_eq!(now, created.body);
}
