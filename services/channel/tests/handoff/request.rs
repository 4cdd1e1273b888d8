//! The client asks for their human coach, over the WebSocket (`request_coach`) and over REST
//! (`POST /conversations/{id}/request-coach`): the request is acknowledged once by a
//! `coach_requested` event, the coach's attention list shows the conversation as
//! `handoff_requested`, and nobody else (another client, another creator's client, a coach on
//! someone else's conversation) can ask for it.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::coach::{Answer, Scene, ids};
use crate::harness::User;
use crate::support::events::{conversation, count, is_error, kind, resume};

fn request_coach(conversation: &str) -> Value {
    json!({"type": "request_coach", "conversation_id": conversation})
}

impl Scene {
    /// `POST /conversations/{id}/request-coach` as `user`.
    async fn request_coach(&self, user: &User, conversation: &str) -> Answer {
        let path = format!("/conversations/{conversation}/request-coach");
        self.call(Method::POST, &path, &user.token, None).await
    }

    /// A conversation of `user` with one answered message, over a new connection.
    async fn conversation_of(&self, user: &User) -> String {
        let mut ws = self.connect(user).await;
        let events = self
            .say(&mut ws, None, "How should I breathe?", |_| false)
            .await;
        assert_eq!(kind(events.last().unwrap()), "done", "{events:#?}");
        conversation(&events[0])
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_asks_for_the_coach_over_the_websocket_once_and_the_coach_sees_it() {
    let scene = Scene::start().await;
    let id = scene.conversation_of(&scene.client).await;
    let mut ws = scene.connect(&scene.client).await;

    ws.send(&request_coach(&id)).await;
    let acknowledged = ws.pong().await;
    assert_eq!(acknowledged.len(), 1, "{acknowledged:#?}");
    assert_eq!(kind(&acknowledged[0]), "coach_requested");
    assert_eq!(conversation(&acknowledged[0]), id);

    let flagged = scene.listed(&scene.coach, "?attention=true").await;
    assert_eq!(ids(&flagged), [id.as_str()]);
    assert_eq!(flagged[0]["attention"], "handoff_requested");
    assert_eq!(flagged[0]["handled_by"], "ai");
    assert!(flagged[0]["attention_at"].is_string(), "{flagged:#?}");

    ws.send(&request_coach(&id)).await;
    assert!(ws.pong().await.is_empty(), "asking again publishes nothing");
    let mut later = scene.connect(&scene.client).await;
    later.send(&resume(&id, 0)).await;
    let replayed = later.pong().await;
    assert_eq!(count(&replayed, "coach_requested"), 1, "{replayed:#?}");

    let answered = scene
        .say(&mut ws, Some(&id), "Still there?", |_| false)
        .await;
    assert_eq!(
        kind(answered.last().unwrap()),
        "done",
        "the AI answers until the coach comes"
    );

    let sent = scene.hand(&scene.coach, &id, "coach").await;
    assert_eq!(sent.status, 200, "{sent:?}");
    ws.send(&request_coach(&id)).await;
    let after_takeover = ws.pong().await;
    assert_eq!(
        count(&after_takeover, "coach_requested"),
        0,
        "{after_takeover:#?}"
    );
    let replied = scene.reply(&scene.coach, &id, "I'm here.").await;
    assert_eq!(replied.status, 201, "{replied:?}");
    assert!(
        scene
            .listed(&scene.coach, "?attention=true")
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cannot_ask_for_the_coach_in_someone_elses_conversation() {
    let scene = Scene::start().await;
    let id = scene.conversation_of(&scene.client).await;
    let other_client = scene.stack.client(scene.creator).await;
    let other_creator = scene.stack.creator().await;
    let stranger = scene.stack.client(other_creator).await;

    for user in [&other_client, &stranger] {
        let mut ws = scene.connect(user).await;
        ws.send(&request_coach(&id)).await;
        let refused = ws.pong().await;
        assert_eq!(refused.len(), 1, "{refused:#?}");
        assert!(is_error(&refused[0], "not_found"), "{refused:#?}");
        assert_eq!(refused[0]["conversation_id"], Value::Null);
        let unknown = Uuid::new_v4().to_string();
        ws.send(&request_coach(&unknown)).await;
        let unknown = ws.pong().await;
        assert_eq!(unknown[0]["code"], refused[0]["code"], "the same refusal");
    }
    for user in [&other_client, &stranger, &scene.coach] {
        let answer = scene.request_coach(user, &id).await;
        assert_eq!(answer.status, 404, "{answer:?}");
        assert_eq!(answer.content_type, "application/problem+json");
    }
    assert!(
        scene
            .listed(&scene.coach, "?attention=true")
            .await
            .is_empty(),
        "nothing was flagged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_websocket_asks_for_the_coach_over_rest() {
    let scene = Scene::start().await;
    let id = scene.conversation_of(&scene.client).await;
    let mut ws = scene.connect(&scene.client).await;
    ws.send(&resume(&id, 0)).await;
    let before = ws.pong().await;
    assert_eq!(kind(before.last().unwrap()), "done", "{before:#?}");

    let asked = scene.request_coach(&scene.client, &id).await;
    assert_eq!(asked.status, 202, "{asked:?}");
    assert_eq!(
        asked.body,
        json!({"conversation_id": id, "requested": "new"})
    );
    let told = ws.until(|e| kind(e) == "coach_requested").await;
    assert_eq!(conversation(told.last().unwrap()), id);

    let again = scene.request_coach(&scene.client, &id).await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.body["requested"], "already");
    assert_eq!(count(&ws.pong().await, "coach_requested"), 0);
    let flagged = scene.listed(&scene.coach, "?attention=true").await;
    assert_eq!(ids(&flagged), [id.as_str()]);
    assert_eq!(flagged[0]["attention"], "handoff_requested");

    let bad = scene.request_coach(&scene.client, "not-a-uuid").await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(bad.content_type, "application/problem+json");
    let coach = scene.stack.engine.user(scene.creator, Role::Coach).await;
    assert_eq!(scene.request_coach(&coach, &id).await.status, 404);

    let doc = scene
        .call(Method::GET, "/openapi.json", &scene.client.token, None)
        .await
        .body;
    let operation = &doc["paths"]["/api/v1/channels/conversations/{id}/request-coach"]["post"];
    assert_eq!(operation["tags"][0], "handoff", "{}", doc["paths"]);
    for status in ["202", "200", "404"] {
        assert!(
            operation["responses"][status].is_object(),
            "{status}: {operation}"
        );
    }
}
