//! Integration tests of conversations against the real PostgreSQL and Redis of the local
//! stack. Each test makes its own creators and users, so tests run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

#[path = "../support/harness.rs"]
mod harness;
mod listing;
mod privacy;
mod store;

use coachai_ai_engine::conversations::{self, MessageMeta, MessageRole};
use serde_json::json;
use uuid::Uuid;

use harness::{Engine, User};

/// The engine with a registry on an address nothing listens on: these tests never reach Ollama.
pub async fn engine() -> Engine {
    Engine::new("http://127.0.0.1:9").await
}

/// A conversation of `user` with one question and one answer, as the chat path records them.
pub async fn chat(engine: &Engine, user: &User, question: &str) -> Uuid {
    let mut tx = engine.tenant(user.principal.creator_id).await;
    let id = conversations::start_or_continue(&mut tx, &user.principal, None)
        .await
        .unwrap();
    conversations::append_message(
        &mut tx,
        id,
        MessageRole::User,
        question,
        &MessageMeta::default(),
    )
    .await
    .unwrap();
    let meta = MessageMeta {
        model: Some("smollm2:135m".into()),
        template_id: Some(Uuid::new_v4()),
        template_version: Some(3),
        degraded: true,
        sources: json!([{"content_id": Uuid::new_v4(), "title": "Warm-up basics",
            "chunk": 0, "score": 0.82}]),
    };
    let answer = "From the sources: start with five minutes of easy cardio.";
    conversations::append_message(&mut tx, id, MessageRole::Assistant, answer, &meta)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.uuid()
}
