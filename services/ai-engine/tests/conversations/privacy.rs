//! Everyone sees, reads and erases only their own conversations.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::Value;

use super::{chat, engine};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_client_lists_reads_and_erases_their_own_conversation() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    let id = chat(&engine, &client, "How do I warm up before squats?").await;

    let page = engine
        .call(Method::GET, "/conversations", &client.token, None)
        .await
        .ok(200);
    assert_eq!(ids(&page), vec![id.to_string()]);
    assert_eq!(page["items"][0]["title"], "How do I warm up before squats?");
    assert_eq!(page["items"][0]["message_count"], 2);
    assert_eq!(page["next_cursor"], Value::Null);

    let path = format!("/conversations/{id}");
    let detail = engine
        .call(Method::GET, &path, &client.token, None)
        .await
        .ok(200);
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[0]["sources"], serde_json::json!([]));
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["model"], "smollm2:135m");
    assert_eq!(messages[1]["degraded"], true);
    assert_eq!(messages[1]["template_version"], 3);
    assert_eq!(messages[1]["sources"][0]["title"], "Warm-up basics");

    let erased = engine
        .call(Method::DELETE, &path, &client.token, None)
        .await;
    assert_eq!(erased.status, 204, "{}", erased.text);
    engine
        .call(Method::GET, &path, &client.token, None)
        .await
        .problem(404);
    engine
        .call(Method::DELETE, &path, &client.token, None)
        .await
        .problem(404);
    let mut tx = engine.tenant(creator).await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE conversation_id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(left, 0, "the messages were erased with the conversation");
}

#[tokio::test]
async fn other_users_of_the_same_creator_get_404_and_do_not_list_it() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    let id = chat(&engine, &client, "Private question").await;
    let path = format!("/conversations/{id}");

    for role in [Role::Client, Role::Coach, Role::Owner] {
        let other = engine.user(creator, role).await;
        let page = engine
            .call(Method::GET, "/conversations", &other.token, None)
            .await
            .ok(200);
        assert!(ids(&page).is_empty(), "{role:?} sees {page}");
        engine
            .call(Method::GET, &path, &other.token, None)
            .await
            .problem(404);
        engine
            .call(Method::DELETE, &path, &other.token, None)
            .await
            .problem(404);
    }
    engine
        .call(Method::GET, &path, &client.token, None)
        .await
        .ok(200);
}

#[tokio::test]
async fn another_creators_users_get_404_with_no_data() {
    let engine = engine().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    let id = chat(&engine, &client, "Private question").await;
    let stranger = engine.user(engine.creator().await, Role::Owner).await;
    let path = format!("/conversations/{id}");

    let reply = engine
        .call(Method::GET, &path, &stranger.token, None)
        .await
        .problem(404);
    assert!(!reply.text.contains("Private question"));
    engine
        .call(Method::DELETE, &path, &stranger.token, None)
        .await
        .problem(404);
    let page = engine
        .call(Method::GET, "/conversations", &stranger.token, None)
        .await
        .ok(200);
    assert!(ids(&page).is_empty());
    engine
        .call(Method::GET, &path, &client.token, None)
        .await
        .ok(200);
}

#[tokio::test]
async fn malformed_ids_are_400_and_unknown_ones_404() {
    let engine = engine().await;
    let client = engine.user(engine.creator().await, Role::Client).await;
    for method in [Method::GET, Method::DELETE] {
        engine
            .call(
                method.clone(),
                "/conversations/not-a-uuid",
                &client.token,
                None,
            )
            .await
            .problem(400);
        let unknown = format!("/conversations/{}", uuid::Uuid::new_v4());
        engine
            .call(method, &unknown, &client.token, None)
            .await
            .problem(404);
    }
    engine
        .call(Method::GET, "/conversations", "not-a-token", None)
        .await
        .problem(401);
}
