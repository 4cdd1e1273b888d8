//! Inbound dead letters: a message the AI Engine keeps refusing ends `dead` after
//! `CHANNEL_INBOUND_MAX_ATTEMPTS` attempts, its chat is told once, the owner sees it in the
//! list, a later message of the chat is answered, and a retry answers it exactly once; only the
//! creator's owner or admins see (page by page) and retry them.

use std::time::Duration;

use coachai_channel::messaging::APOLOGY;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use reqwest::Method;
use serde_json::Value;

use crate::engine_down::set_revoked;
use crate::support::eventually;
use crate::support::receiver::{Mode, Receiver};
use crate::support::stack::{Stack, settle};
use crate::webhook::{hook, post, signed};

async fn inbound(stack: &Stack, creator: CreatorId, token: &str, state: &str) -> Vec<Value> {
    let path = format!("/{}/inbound?state={state}", creator.0);
    let answer = stack.send(Method::GET, &path, Some(token), &[], None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body["items"].as_array().unwrap().clone()
}

async fn list_status(stack: &Stack, creator: CreatorId, token: &str, query: &str) -> u16 {
    let path = format!("/{}/inbound{query}", creator.0);
    stack
        .send(Method::GET, &path, Some(token), &[], None)
        .await
        .status
}

async fn retry(stack: &Stack, creator: CreatorId, token: &str, id: &str) -> u16 {
    let path = format!("/{}/inbound/{id}/retry", creator.0);
    stack
        .send(Method::POST, &path, Some(token), &[], None)
        .await
        .status
}

fn texts(receiver: &Receiver) -> Vec<String> {
    let taken = receiver.taken().into_iter();
    taken
        .map(|r| r.json()["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_message_refused_until_its_last_attempt_is_dead_apologised_for_and_retried_once() {
    let stack = Stack::start_with(&[("CHANNEL_INBOUND_MAX_ATTEMPTS", "2")]).await;
    stack.reply("Rest one day a week.");
    let receiver = Receiver::start(Mode::Up).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    let owner = stack.user(creator, Role::Owner).await;
    set_revoked(&stack, creator, &id, true).await;
    let (body, ts, signature) = signed(&secret, "c-dead", "Can I train daily?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    let dead = eventually(
        "the refused message is dead",
        Duration::from_secs(20),
        || async { inbound(&stack, creator, &owner.token, "dead").await.pop() },
    )
    .await;
    assert_eq!(dead["attempts"], 2);
    assert!(!dead["last_error"].as_str().unwrap().is_empty(), "{dead}");
    eventually("the chat is told", Duration::from_secs(20), || async {
        (!receiver.taken().is_empty()).then_some(())
    })
    .await;
    settle(Duration::from_secs(2)).await;
    assert_eq!(
        texts(&receiver),
        [APOLOGY],
        "the apology, once, and nothing else"
    );
    assert_eq!(receiver.taken()[0].json()["conversation"], "c-dead");

    set_revoked(&stack, creator, &id, false).await;
    let (body, ts, signature) = signed(&secret, "c-dead", "And on weekends?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    eventually(
        "the later message of the chat is answered",
        Duration::from_secs(20),
        || async { (receiver.taken().len() == 2).then_some(()) },
    )
    .await;
    let later = &texts(&receiver)[1];
    assert!(later.contains("Rest one day a week"), "{later}");
    let still = inbound(&stack, creator, &owner.token, "dead").await;
    assert_eq!(still.len(), 1, "the dead message waits for a retry");

    let dead_id = dead["id"].as_str().unwrap();
    assert_eq!(retry(&stack, creator, &owner.token, dead_id).await, 202);
    eventually(
        "the retried message is answered",
        Duration::from_secs(20),
        || async { (receiver.taken().len() == 3).then_some(()) },
    )
    .await;
    settle(Duration::from_secs(2)).await;
    assert_eq!(
        texts(&receiver).len(),
        3,
        "the retry is answered exactly once"
    );
    assert!(
        inbound(&stack, creator, &owner.token, "dead")
            .await
            .is_empty()
    );
    let answered = inbound(&stack, creator, &owner.token, "answered").await;
    assert_eq!(answered.len(), 2);
    assert!(answered.iter().any(|m| m["id"] == dead["id"]));
    assert_eq!(retry(&stack, creator, &owner.token, dead_id).await, 409);
}

/// A dead message `key` of `creator`, written as the worker leaves one: its id.
async fn dead_message(stack: &Stack, creator: CreatorId, integration: &str, key: &str) -> String {
    let mut tx = stack.tenant(creator).await;
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO channel_inbound
             (creator_id, integration_id, dedupe_key, external_chat, body, status, attempts,
              last_error)
         VALUES ($1, $2::uuid, $3, 'c-1', 'Hello?', 'dead', 2, 'refused')
         RETURNING id",
    )
    .bind(creator.0)
    .bind(integration)
    .bind(key)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

#[tokio::test]
async fn only_the_creators_owner_or_admins_see_and_retry_its_dead_inbound_messages() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Up).await;
    let (a, integration, _) = hook(&stack, &receiver).await;
    let message = dead_message(&stack, a, &integration, "m-1").await;
    let b = stack.creator().await;
    let owner_b = stack.user(b, Role::Owner).await;
    assert_eq!(list_status(&stack, a, &owner_b.token, "").await, 404);
    assert_eq!(retry(&stack, a, &owner_b.token, &message).await, 404);
    assert_eq!(retry(&stack, b, &owner_b.token, &message).await, 404);
    assert!(inbound(&stack, b, &owner_b.token, "dead").await.is_empty());
    let client = stack.user(a, Role::Client).await;
    assert_eq!(list_status(&stack, a, &client.token, "").await, 403);
    assert_eq!(retry(&stack, a, &client.token, &message).await, 403);
    let admin = stack.user(a, Role::Admin).await;
    let dead = inbound(&stack, a, &admin.token, "dead").await;
    assert_eq!(dead.len(), 1, "the others' attempts left it dead");
    assert_eq!(dead[0]["id"], message.as_str());
    assert_eq!(
        list_status(&stack, a, &admin.token, "?state=lost").await,
        400
    );
    assert_eq!(list_status(&stack, a, &admin.token, "?cursor=x").await, 400);
    let newer = dead_message(&stack, a, &integration, "m-2").await;
    let path = format!("/{}/inbound?state=dead&limit=1", a.0);
    let first = stack.send(Method::GET, &path, Some(&admin.token), &[], None);
    let first = first.await.body;
    assert_eq!(first["items"][0]["id"], newer.as_str(), "newest first");
    let cursor = first["next_cursor"].as_str().unwrap();
    let next = format!("{path}&cursor={cursor}");
    let second = stack.send(Method::GET, &next, Some(&admin.token), &[], None);
    let second = second.await.body;
    assert_eq!(second["items"][0]["id"], message.as_str());
    assert_eq!(second["next_cursor"], Value::Null, "the last page");
}
