//! The coach takes a conversation over, replies in person and hands it back; the client sees
//! each step on its WebSocket and the model is not asked while the coach answers.

use axum::http::Method;
use serde_json::Value;

use crate::coach::Scene;
use crate::support::events::{conversation, count, kind, resume};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coach_takes_over_replies_in_person_and_hands_back_to_the_ai() {
    let scene = Scene::start().await;
    let mut ws = scene.connect(&scene.client).await;
    let first = scene
        .say(
            &mut ws,
            None,
            "How should I breathe during a swing?",
            |_| false,
        )
        .await;
    assert_eq!(kind(first.last().unwrap()), "done", "{first:#?}");
    let id = conversation(&first[0]);
    assert_eq!(scene.stack.answers_asked(), 1);

    let taken = scene.hand(&scene.coach, &id, "coach").await;
    assert_eq!(taken.status, 200, "{taken:?}");
    assert_eq!(taken.body["handled_by"], "coach");
    assert_eq!(
        taken.body["handled_by_user"],
        scene.coach.principal.user_id.to_string()
    );
    let told = ws.until(|e| kind(e) == "handoff").await;
    assert_eq!(told.last().unwrap()["state"], "coach", "{told:#?}");

    let held = scene
        .say(&mut ws, Some(&id), "Are you there?", |e| {
            kind(e) == "handoff"
        })
        .await;
    assert_eq!(kind(&held[0]), "ack", "{held:#?}");
    assert_eq!(held.last().unwrap()["state"], "coach", "{held:#?}");
    assert_eq!(
        count(&held, "token") + count(&held, "done") + count(&held, "error"),
        0
    );
    assert_eq!(scene.stack.answers_asked(), 1, "the model was not asked");

    let sent = scene
        .reply(&scene.coach, &id, "  I'm here. Let's talk at six.  ")
        .await;
    assert_eq!(sent.status, 201, "{sent:?}");
    let coach_message = ws.until(|e| kind(e) == "coach_message").await;
    let coach_message = coach_message.last().unwrap();
    assert_eq!(coach_message["text"], "I'm here. Let's talk at six.");
    assert_eq!(coach_message["message_id"], sent.body["message_id"]);

    let back = scene.hand(&scene.coach, &id, "ai").await;
    assert_eq!(back.status, 200, "{back:?}");
    assert_eq!(back.body["handled_by"], "ai");
    assert_eq!(back.body["handled_by_user"], Value::Null);
    let told = ws.until(|e| kind(e) == "handoff").await;
    assert_eq!(told.last().unwrap()["state"], "ai");

    let answered = scene
        .say(&mut ws, Some(&id), "What about the hips?", |_| false)
        .await;
    assert_eq!(kind(answered.last().unwrap()), "done", "{answered:#?}");
    assert!(count(&answered, "token") > 0);
    assert_eq!(scene.stack.answers_asked(), 2, "the AI answers again");

    let mut later = scene.connect(&scene.client).await;
    later.send(&resume(&id, 0)).await;
    let replayed = later
        .until(|e| e["seq"] == answered.last().unwrap()["seq"])
        .await;
    let kinds: Vec<&str> = replayed.iter().map(kind).collect();
    let handoffs: Vec<&Value> = replayed.iter().filter(|e| kind(e) == "handoff").collect();
    assert_eq!(
        handoffs.len(),
        3,
        "taken, held message, handed back: {kinds:?}"
    );
    assert_eq!(count(&replayed, "coach_message"), 1, "{kinds:?}");

    let path = format!("/conversations/{id}");
    let token = &scene.client.token;
    let stored = scene
        .stack
        .engine
        .call(Method::GET, &path, token, None)
        .await
        .ok(200);
    let roles: Vec<&str> = stored["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["user", "assistant", "user", "coach", "user", "assistant"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handing_over_twice_changes_nothing_and_a_reply_needs_the_takeover_first() {
    let scene = Scene::start().await;
    let mut ws = scene.connect(&scene.client).await;
    let first = scene.say(&mut ws, None, "Hello", |_| false).await;
    let id = conversation(&first[0]);

    let refused = scene.reply(&scene.coach, &id, "Hi!").await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert_eq!(refused.content_type, "application/problem+json");

    assert_eq!(scene.hand(&scene.coach, &id, "coach").await.status, 200);
    assert_eq!(scene.hand(&scene.coach, &id, "coach").await.status, 200);
    let blank = scene.reply(&scene.coach, &id, "   ").await;
    assert_eq!(blank.status, 422, "{blank:?}");
    let seen = ws.pong().await;
    assert_eq!(count(&seen, "handoff"), 1, "one handoff event: {seen:#?}");
    assert_eq!(count(&seen, "coach_message"), 0, "{seen:#?}");
}
