//! Durable delivery: a failing destination is retried with growing delays until the delivery
//! is dead, visible in the API, and a manual redelivery reaches it exactly once; a destination
//! that took a delivery but whose answer was lost sees the retry with the same Idempotency-Key.

use std::collections::HashSet;
use std::time::Duration;

use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use reqwest::Method;
use serde_json::Value;

use crate::support::eventually;
use crate::support::receiver::{Mode, Receiver};
use crate::support::stack::{Stack, settle};
use crate::webhook::{hook, post, signed};

async fn deliveries(stack: &Stack, creator: CreatorId, token: &str, state: &str) -> Vec<Value> {
    let path = format!("/{}/deliveries?state={state}", creator.0);
    let answer = stack.send(Method::GET, &path, Some(token), &[], None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    answer.body.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_failing_destination_is_retried_with_growing_delays_then_dead_then_redelivered_once() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Failing).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    let owner = stack.user(creator, Role::Admin).await;
    let (body, ts, signature) = signed(&secret, "c-retry", "Any tips for sleep?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    let dead = eventually(
        "the delivery is dead after 4 attempts",
        Duration::from_secs(30),
        || async {
            deliveries(&stack, creator, &owner.token, "dead")
                .await
                .into_iter()
                .next()
        },
    )
    .await;
    assert_eq!(dead["attempts"], 4);
    assert!(
        dead["last_error"].as_str().unwrap().contains("503"),
        "{dead}"
    );
    let attempts = receiver.attempts();
    assert_eq!(attempts.len(), 4, "the limit is 4 attempts");
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(gaps[2] > gaps[0], "delays grow: {gaps:?}");
    assert!(
        gaps[2] >= Duration::from_millis(550),
        "the third wait is 600–1200 ms: {gaps:?}"
    );
    receiver.set(Mode::Up);
    let delivery = dead["id"].as_str().unwrap();
    let path = format!("/{}/deliveries/{delivery}/redeliver", creator.0);
    let queued = stack
        .send(Method::POST, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(queued.status, 202, "{:?}", queued.body);
    assert_eq!(queued.body["state"], "pending");
    eventually(
        "the redelivery arrives",
        Duration::from_secs(10),
        || async { (!receiver.taken().is_empty()).then_some(()) },
    )
    .await;
    settle(Duration::from_secs(1)).await;
    assert_eq!(receiver.taken().len(), 1, "delivered exactly once");
    assert_eq!(receiver.taken()[0].header("idempotency-key"), delivery);
    let delivered = deliveries(&stack, creator, &owner.token, "delivered").await;
    assert_eq!(delivered.len(), 1);
    let again = stack
        .send(Method::POST, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(again.status, 409, "only dead deliveries are redelivered");
}

#[tokio::test]
async fn a_delivery_taken_but_unanswered_is_retried_with_the_same_idempotency_key() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::SlowAfterTaking(Duration::from_millis(1500))).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    let owner = stack.user(creator, Role::Owner).await;
    let (body, ts, signature) = signed(&secret, "c-lost", "What should I eat?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    eventually(
        "the destination takes the first copy",
        Duration::from_secs(20),
        || async { (!receiver.taken().is_empty()).then_some(()) },
    )
    .await;
    receiver.set(Mode::Up);
    eventually(
        "the delivery is acknowledged on a retry",
        Duration::from_secs(20),
        || async {
            let done = deliveries(&stack, creator, &owner.token, "delivered").await;
            (!done.is_empty()).then_some(())
        },
    )
    .await;
    let taken = receiver.taken();
    assert!(taken.len() >= 2, "the lost acknowledgement is retried");
    let keys: HashSet<String> = taken.iter().map(|r| r.header("idempotency-key")).collect();
    assert_eq!(
        keys.len(),
        1,
        "every copy carries the same Idempotency-Key: {keys:?}"
    );
    let ids: HashSet<String> = taken.iter().map(|r| r.json()["id"].to_string()).collect();
    assert_eq!(
        ids.len(),
        1,
        "a receiver deduplicating by key keeps one reply"
    );
}
