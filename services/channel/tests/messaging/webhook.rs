//! Signed webhooks: a signed message is answered with a signed reply (checked here with an
//! independent HMAC); a bad signature, a stale timestamp and a replayed request are 401; a
//! message whose text is `/coach` asks for the human coach.

use std::time::Duration;

use coachai_channel::messaging::signing::sign;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::json;
use sha2::Sha256;

use crate::support::eventually;
use crate::support::receiver::{Mode, Receiver};
use crate::support::stack::{Answer, Stack};

/// A webhook integration replying to `receiver`: (creator, id, secret).
pub async fn hook(stack: &Stack, receiver: &Receiver) -> (CreatorId, String, String) {
    let creator = stack.creator().await;
    let owner = stack.user(creator, Role::Owner).await;
    let url = format!("{}/hook", receiver.url());
    let body = json!({"kind": "webhook", "name": "CRM", "url": url});
    let (id, secret) = stack.integration(creator, &owner, body).await;
    (creator, id, secret)
}

/// Posts `body` to webhook `id` signed with `secret` at `timestamp` (or with `signature`).
pub async fn post(
    stack: &Stack,
    id: &str,
    body: &[u8],
    timestamp: i64,
    signature: String,
) -> Answer {
    let headers = [
        ("x-coachai-timestamp", timestamp.to_string()),
        ("x-coachai-signature", signature),
    ];
    let path = format!("/webhook/{id}");
    stack
        .send(Method::POST, &path, None, &headers, Some(body.to_vec()))
        .await
}

/// A message of `conversation` with a fresh id, signed now: (body, timestamp, signature).
pub fn signed(secret: &str, conversation: &str, text: &str) -> (Vec<u8>, i64, String) {
    let body = json!({"conversation": conversation, "text": text, "id": uuid::Uuid::new_v4()})
        .to_string()
        .into_bytes();
    let now = chrono::Utc::now().timestamp();
    let signature = sign(secret, now, &body);
    (body, now, signature)
}

fn hex_hmac(secret: &str, message: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_signed_message_is_answered_with_a_signed_reply() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Up).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    assert!(secret.starts_with("whsec_"));
    let (body, ts, signature) = signed(&secret, "user-8841", "How do I start running?");
    let accepted = post(&stack, &id, &body, ts, signature).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let reply = eventually(
        "the reply reaches the destination",
        Duration::from_secs(20),
        || async { receiver.taken().into_iter().next() },
    )
    .await;
    assert_eq!(reply.path, "/hook");
    let timestamp = reply.header("x-coachai-timestamp");
    let mut signed_text = format!("{timestamp}.").into_bytes();
    signed_text.extend_from_slice(&reply.body);
    assert_eq!(
        reply.header("x-coachai-signature"),
        format!("v1={}", hex_hmac(&secret, &signed_text)),
        "the reply is signed with the integration's secret"
    );
    let json = reply.json();
    assert_eq!(json["conversation"], "user-8841");
    assert!(
        json["text"].as_str().unwrap().contains("start running"),
        "{json}"
    );
    assert_eq!(
        reply.header("idempotency-key"),
        json["id"].as_str().unwrap()
    );
    let (body, ts, signature) = signed(&secret, "user-8841", "And after a week?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    eventually(
        "the second reply arrives",
        Duration::from_secs(20),
        || async { (receiver.taken().len() == 2).then_some(()) },
    )
    .await;
    let mut tx = stack.tenant(creator).await;
    let conversations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM conversations c JOIN channel_integrations i ON i.user_id = c.user_id
          WHERE i.id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(
        conversations, 1,
        "the sender's conversation continues one conversation"
    );
}

#[tokio::test]
async fn bad_signatures_stale_timestamps_and_replays_are_401() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Up).await;
    let (_, id, secret) = hook(&stack, &receiver).await;
    let (body, ts, _) = signed(&secret, "c1", "hello");
    let forged = post(&stack, &id, &body, ts, sign("whsec_wrong", ts, &body)).await;
    assert_eq!(forged.status, 401);
    assert_eq!(forged.content_type, "application/problem+json");
    let stale_ts = ts - 400;
    let stale = post(&stack, &id, &body, stale_ts, sign(&secret, stale_ts, &body)).await;
    assert_eq!(stale.status, 401);
    let unsigned = stack
        .send(
            Method::POST,
            &format!("/webhook/{id}"),
            None,
            &[],
            Some(body.clone()),
        )
        .await;
    assert_eq!(unsigned.status, 401);
    let first = post(&stack, &id, &body, ts, sign(&secret, ts, &body)).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let replayed = post(&stack, &id, &body, ts, sign(&secret, ts, &body)).await;
    assert_eq!(replayed.status, 401, "{:?}", replayed.body);
    let rotated = format!("v1=00ff, {}", sign(&secret, ts + 1, &body));
    let second_secret_listed = post(&stack, &id, &body, ts + 1, rotated).await;
    assert_eq!(second_secret_listed.status, 200, "any listed v1= may match");
    let bad_body = b"{\"conversation\": \"c1\"}".to_vec();
    let now = chrono::Utc::now().timestamp();
    let incomplete = post(&stack, &id, &bad_body, now, sign(&secret, now, &bad_body)).await;
    assert_eq!(incomplete.status, 400);
    eventually(
        "exactly one reply for the one message id",
        Duration::from_secs(20),
        || async { (receiver.taken().len() == 1).then_some(()) },
    )
    .await;
}

/// The texts of the replies `receiver` has taken, once there are at least `count`.
async fn replies(receiver: &Receiver, count: usize) -> Vec<serde_json::Value> {
    eventually(
        &format!("{count} replies reach the destination"),
        Duration::from_secs(20),
        || async {
            let taken = receiver.taken();
            (taken.len() >= count).then(|| taken.iter().map(|r| r.json()["text"].clone()).collect())
        },
    )
    .await
}

#[tokio::test]
async fn a_signed_coach_command_asks_for_the_coach_without_asking_the_model() {
    let stack = Stack::start().await;
    stack.reply("Start with ten minutes.");
    let receiver = Receiver::start(Mode::Up).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    let send = |text: &'static str| {
        let (body, ts, signature) = signed(&secret, "user-77", text);
        let (stack, id) = (&stack, &id);
        async move { post(stack, id, &body, ts, signature).await.status }
    };

    assert_eq!(send("/coach").await, 200);
    let told = replies(&receiver, 1).await;
    assert!(
        told[0].as_str().unwrap().contains("nothing to hand over"),
        "{told:?}"
    );
    assert_eq!(send("How do I start running?").await, 200);
    replies(&receiver, 2).await;
    assert_eq!(send("  /coach ").await, 200);
    assert_eq!(
        replies(&receiver, 3).await[2],
        "I've asked your coach to join; they'll answer here."
    );
    assert_eq!(
        stack.answers_asked(),
        1,
        "the command never reached the model"
    );
    let mut tx = stack.tenant(creator).await;
    let attention: Option<String> = sqlx::query_scalar(
        "SELECT c.attention FROM conversations c JOIN channel_chats h ON h.conversation_id = c.id
          WHERE h.external_chat = 'user-77'",
    )
    .fetch_one(tx.conn())
    .await
    .unwrap();
    assert_eq!(attention.as_deref(), Some("handoff_requested"));
}
