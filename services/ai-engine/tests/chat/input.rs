//! Bad input gets a 4xx problem and changes nothing.

use axum::body::Body;
use axum::http::{Method, Request};
use coachai_common::auth::Role;
use serde_json::json;
use uuid::Uuid;

use crate::Setup;
use crate::harness::read;

#[tokio::test]
async fn empty_blank_and_oversize_messages_are_refused() {
    let setup = Setup::new().await;
    for message in [String::new(), "   \n ".to_owned(), "a".repeat(4001)] {
        setup
            .ask(&setup.client, json!({"message": message}))
            .await
            .problem(422);
    }
    setup
        .ask(&setup.client, json!({"message": "hi", "extra": 1}))
        .await
        .problem(422);
    setup
        .ask(&setup.client, json!({"text": "hi"}))
        .await
        .problem(422);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let setup = Setup::new().await;
    let request = |content_type: &str, body: &str| {
        Request::post("/api/v1/ai/chat")
            .header("authorization", format!("Bearer {}", setup.client.token))
            .header("content-type", content_type)
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    let send = |r| tower::ServiceExt::oneshot(setup.engine.router.clone(), r);
    read(
        send(request("application/json", "{not json"))
            .await
            .unwrap(),
    )
    .await
    .problem(400);
    read(send(request("text/plain", "hello")).await.unwrap())
        .await
        .problem(415);
}

#[tokio::test]
async fn an_unknown_conversation_and_another_clients_conversation_are_not_found() {
    let setup = Setup::new().await;
    let unknown = json!({"message": "hi", "conversation_id": Uuid::new_v4()});
    setup.ask(&setup.client, unknown).await.problem(404);

    let first = setup
        .ask(&setup.client, json!({"message": "Warm-up tips?"}))
        .await
        .ok(200);
    let other = setup.engine.user(setup.creator, Role::Client).await;
    let theirs = json!({"message": "hi", "conversation_id": first["conversation_id"]});
    setup.ask(&other, theirs).await.problem(404);
    let b = setup.engine.creator().await;
    crate::library::set_models(
        &setup.engine.db,
        b,
        crate::CHAT_MODEL,
        crate::EMBEDDING_MODEL,
    )
    .await;
    let stranger = setup.engine.user(b, Role::Client).await;
    let theirs = json!({"message": "hi", "conversation_id": first["conversation_id"]});
    setup.ask(&stranger, theirs).await.problem(404);

    let path = format!(
        "/conversations/{}",
        first["conversation_id"].as_str().unwrap()
    );
    let mine = setup
        .engine
        .call(Method::GET, &path, &setup.client.token, None)
        .await
        .ok(200);
    assert_eq!(
        mine["messages"].as_array().unwrap().len(),
        2,
        "nothing was added"
    );
}

#[tokio::test]
async fn the_creators_chat_rate_limit_answers_429_with_retry_after() {
    let setup = Setup::new().await;
    let mut tx = setup.engine.tenant(setup.creator).await;
    sqlx::query("UPDATE creators SET quotas = '{\"requests_per_minute\": 2}' WHERE id = $1")
        .bind(setup.creator.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for _ in 0..2 {
        setup
            .ask(&setup.client, json!({"message": "Warm-up tips?"}))
            .await
            .ok(200);
    }
    let request = Request::post("/api/v1/ai/chat")
        .header("authorization", format!("Bearer {}", setup.client.token))
        .header("content-type", "application/json")
        .body(Body::from(json!({"message": "again"}).to_string()))
        .unwrap();
    let response = tower::ServiceExt::oneshot(setup.engine.router.clone(), request)
        .await
        .unwrap();
    assert!(response.headers().contains_key("retry-after"));
    read(response).await.problem(429);
}

#[tokio::test]
async fn an_api_key_needs_the_chat_scope() {
    let setup = Setup::new().await;
    let reader = setup.engine.api_key(setup.creator, &["content:read"]).await;
    let body = json!({"message": "Warm-up tips?"});
    setup
        .engine
        .call(Method::POST, "/chat", &reader, Some(&body))
        .await
        .problem(403);
    let chat = setup.engine.api_key(setup.creator, &["chat"]).await;
    setup
        .engine
        .call(Method::POST, "/chat", &chat, Some(&body))
        .await
        .ok(200);
}

#[tokio::test]
async fn a_creator_model_missing_from_ollama_is_a_503_naming_it() {
    let setup = Setup::new().await;
    crate::library::set_models(
        &setup.engine.db,
        setup.creator,
        "llama2:7b-chat",
        crate::EMBEDDING_MODEL,
    )
    .await;
    let reply = setup
        .ask(&setup.client, json!({"message": "Warm-up tips?"}))
        .await
        .problem(503);
    assert!(reply.text.contains("llama2:7b-chat"), "{}", reply.text);
}
