//! API keys reach the model and conversation routes only with the scope each declares.

use axum::http::Method;
use serde_json::json;

use super::{engine_on_double, serial};

#[tokio::test]
async fn chat_keys_read_models_and_conversations_and_only_admin_keys_pull() {
    let _turn = serial().await;
    let (_double, engine) = engine_on_double().await;
    engine.registry.refresh().await.unwrap();
    let creator = engine.creator().await;
    let chat = engine.api_key(creator, &["chat"]).await;
    let reader = engine.api_key(creator, &["content:read"]).await;
    let admin = engine.api_key(creator, &["admin"]).await;
    let pull = json!({"name": "smollm2:135m"});

    engine
        .call(Method::GET, "/models", &chat, None)
        .await
        .ok(200);
    engine
        .call(Method::GET, "/conversations", &chat, None)
        .await
        .ok(200);
    engine
        .call(Method::GET, "/models", &reader, None)
        .await
        .problem(403);
    engine
        .call(Method::GET, "/conversations", &reader, None)
        .await
        .problem(403);
    engine
        .call(Method::POST, "/models/pull", &chat, Some(&pull))
        .await
        .problem(403);
    let pulled = engine
        .call(Method::POST, "/models/pull", &admin, Some(&pull))
        .await;
    assert_eq!(pulled.status, 200, "{}", pulled.text);
    assert!(pulled.text.contains("event: done"), "{}", pulled.text);
}
