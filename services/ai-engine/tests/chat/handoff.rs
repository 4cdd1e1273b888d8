//! The AI does not answer where the coach answers: a conversation the coach took over is held
//! (SSE `held`, or 202) with the client's message stored; an escalated message (the creator's
//! topic or the safety list) gets the stored holding reply and flags the conversation. In
//! neither case is the model asked.

use axum::http::Method;
use coachai_ollama_double::Endpoint;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::Setup;
use crate::streaming::events;

fn chats_asked(setup: &Setup) -> usize {
    setup.double.requests_to(Endpoint::Chat).len()
        + setup.double.requests_to(Endpoint::Generate).len()
}

async fn set_handled_by_coach(setup: &Setup, conversation: &str) {
    let mut tx = setup.engine.tenant(setup.creator).await;
    sqlx::query("UPDATE conversations SET handled_by = 'coach' WHERE id = $1::uuid")
        .bind(conversation)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn attention(setup: &Setup, conversation: &str) -> Option<String> {
    let mut tx = setup.engine.tenant(setup.creator).await;
    let attention = sqlx::query_scalar("SELECT attention FROM conversations WHERE id = $1::uuid")
        .bind(conversation)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    attention
}

async fn messages(setup: &Setup, conversation: &str) -> Vec<Value> {
    let path = format!("/conversations/{conversation}");
    let detail = setup
        .engine
        .call(Method::GET, &path, &setup.client.token, None)
        .await
        .ok(200);
    detail["messages"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_conversation_the_coach_took_over_is_held_over_sse_and_json_without_asking_the_model() {
    let setup = Setup::new().await;
    let first = setup
        .ask(
            &setup.client,
            json!({"message": "How should I breathe during a swing?"}),
        )
        .await
        .ok(200);
    let conversation = first["conversation_id"].as_str().unwrap().to_owned();
    set_handled_by_coach(&setup, &conversation).await;
    let asked_before = chats_asked(&setup);

    let body = json!({"message": "Are you there, coach?", "conversation_id": conversation,
        "stream": true});
    let response = setup
        .engine
        .respond(Method::POST, "/chat", &setup.client.token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    let seen = events(&mut response.into_body(), |_| false).await;
    let names: Vec<&str> = seen.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, ["start", "held"], "{seen:?}");
    assert_eq!(
        seen[1].1,
        json!({"conversation_id": conversation, "reason": "coach"})
    );

    let plain = json!({"message": "Hello again?", "conversation_id": conversation});
    let held = setup.ask(&setup.client, plain).await.ok(202);
    assert_eq!(held["reason"], "coach");

    assert_eq!(chats_asked(&setup), asked_before, "the model was not asked");
    let stored = messages(&setup, &conversation).await;
    let roles: Vec<&str> = stored.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "assistant", "user", "user"]);
    assert_eq!(stored[3]["body"], "Hello again?");
}

#[tokio::test]
async fn a_message_on_an_escalation_topic_gets_the_holding_reply_and_flags_the_conversation() {
    let setup = Setup::new().await;
    let mut tx = setup.engine.tenant(setup.creator).await;
    sqlx::query(
        "UPDATE creators SET persona = persona || '{\"escalation_topics\": [\"pregnancy\"]}' \
         WHERE id = $1",
    )
    .bind(setup.creator.0)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let reply = setup
        .ask(
            &setup.client,
            json!({"message": "Are swings safe during PREGNANCY?"}),
        )
        .await
        .ok(200);

    assert_eq!(reply["escalated"], true, "{reply}");
    assert_eq!(reply["model"], Value::Null, "{reply}");
    let answer = reply["answer"].as_str().unwrap();
    assert!(answer.contains("should answer personally"), "{answer}");
    assert!(!answer.contains("emergency"), "{answer}");
    let conversation = reply["conversation_id"].as_str().unwrap();
    assert_eq!(
        attention(&setup, conversation).await.as_deref(),
        Some("escalation")
    );
    let stored = messages(&setup, conversation).await;
    assert_eq!(stored[1]["role"], "assistant");
    assert_eq!(stored[1]["body"], answer);
    assert_eq!(stored[1]["id"], reply["message_id"]);
    assert_eq!(chats_asked(&setup), 0, "the model was not asked");
}

#[tokio::test]
async fn a_safety_message_streams_the_holding_reply_with_the_emergency_pointer() {
    let setup = Setup::new().await;
    let body = json!({"message": "I have chest pain after my workout", "stream": true});
    let response = setup
        .engine
        .respond(Method::POST, "/chat", &setup.client.token, Some(&body))
        .await;
    let seen = events(&mut response.into_body(), |name| name == "done").await;

    let names: Vec<&str> = seen.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, ["start", "token", "done"], "{seen:?}");
    assert!(
        seen[1].1["text"]
            .as_str()
            .unwrap()
            .contains("emergency number")
    );
    let done = &seen[2].1;
    assert_eq!(done["escalated"], true, "{done}");
    assert_eq!(done["template"], Value::Null, "{done}");
    let conversation = done["conversation_id"].as_str().unwrap();
    Uuid::parse_str(conversation).unwrap();
    assert_eq!(
        attention(&setup, conversation).await.as_deref(),
        Some("escalation")
    );
    assert_eq!(chats_asked(&setup), 0, "the model was not asked");
}
