//! API keys reach the Hub through the shared resolver, and each route lets in only the keys
//! holding the scope it declares.

use axum::http::Method;
use coachai_common::auth::api_keys::key_hash;
use coachai_common::tenancy::CreatorId;
use serde_json::json;
use uuid::Uuid;

use crate::harness::Hub;

/// A live key of a new owner of `creator` with `scopes`.
async fn key(hub: &Hub, creator: CreatorId, scopes: &[&str]) -> String {
    let prefix = format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
    let key = format!("cak_{prefix}_{}", Uuid::new_v4().simple());
    let mut tx = hub.tenant(creator).await;
    let email = format!("{prefix}@example.org");
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (creator_id, email, role) VALUES ($1, $2, 'owner') RETURNING id",
    )
    .bind(creator.0)
    .bind(email)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash, scopes)
         VALUES ($1, $2, 'integration', $3, $4, $5)",
    )
    .bind(creator.0)
    .bind(user)
    .bind(&prefix)
    .bind(key_hash(&key))
    .bind(scopes.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    key
}

#[tokio::test]
async fn each_route_admits_only_keys_with_its_scope() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let list = format!("/{creator}/content");
    let upload =
        json!({"title": "Notes", "kind": "text", "body": "Breathe out at the top."}).to_string();

    let chat = key(&hub, creator, &["chat"]).await;
    hub.call(Method::GET, &list, &chat, None).await.problem(403);

    let reader = key(&hub, creator, &["content:read"]).await;
    assert_eq!(
        hub.call(Method::GET, &list, &reader, None).await.status,
        200
    );
    hub.call(Method::POST, &list, &reader, Some(&upload))
        .await
        .problem(403);

    let writer = key(&hub, creator, &["content:write"]).await;
    let created = hub.call(Method::POST, &list, &writer, Some(&upload)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let body = format!("{list}/{}/body", created.body["id"].as_str().unwrap());
    hub.call(Method::PUT, &body, &reader, Some(&upload))
        .await
        .problem(403);
    let versioned = hub.call(Method::PUT, &body, &writer, Some(&upload)).await;
    assert_eq!(versioned.body["pending_version"], 2, "{}", versioned.body);

    let admin = key(&hub, creator, &["admin"]).await;
    let patched = hub
        .patch(creator, &admin, &json!({"bio": "set by a key"}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    hub.patch(creator, &writer, &json!({"bio": "not allowed"}))
        .await
        .problem(403);
}

#[tokio::test]
async fn forged_revoked_and_foreign_keys_are_refused() {
    let hub = Hub::new().await;
    let (creator, other) = (hub.creator().await, hub.creator().await);
    let reader = key(&hub, creator, &["content:read"]).await;
    let forged = format!("{}x", &reader[..reader.len() - 1]);
    let list = format!("/{creator}/content");
    hub.call(Method::GET, &list, &forged, None)
        .await
        .problem(401);
    let foreign = key(&hub, other, &["admin"]).await;
    hub.call(Method::GET, &list, &foreign, None)
        .await
        .problem(404);
    let mut tx = hub.tenant(creator).await;
    sqlx::query("UPDATE api_keys SET revoked_at = now()")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    hub.call(Method::GET, &list, &reader, None)
        .await
        .problem(401);
}
