//! A Channel process killed (SIGKILL) while a reply is in its outbox: the next process delivers
//! it once the dead process's lease runs out.

use std::time::Duration;

use coachai_common::auth::Role;
use reqwest::Method;

use crate::support::eventually;
use crate::support::receiver::{Mode, Receiver};
use crate::support::stack::{Stack, settle};
use crate::webhook::{hook, post, signed};

#[tokio::test]
async fn a_reply_in_the_outbox_of_a_killed_process_is_delivered_by_the_next_one() {
    let mut stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Hanging).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    let owner = stack.user(creator, Role::Owner).await;
    let (body, ts, signature) = signed(&secret, "c-crash", "How long should I rest?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    eventually(
        "the first process starts delivering",
        Duration::from_secs(20),
        || async { (!receiver.attempts().is_empty()).then_some(()) },
    )
    .await;
    stack.crash(0);
    assert!(
        receiver.taken().is_empty(),
        "nothing was delivered before the crash"
    );
    receiver.set(Mode::Up);
    stack.channel().await;
    eventually(
        "the next process delivers the reply",
        Duration::from_secs(20),
        || async { (!receiver.taken().is_empty()).then_some(()) },
    )
    .await;
    settle(Duration::from_secs(1)).await;
    assert_eq!(receiver.taken().len(), 1);
    assert_eq!(receiver.taken()[0].json()["conversation"], "c-crash");
    let path = format!("/{}/deliveries?state=delivered", creator.0);
    let listed = stack
        .send(Method::GET, &path, Some(&owner.token), &[], None)
        .await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{:?}",
        listed.body
    );
}

#[tokio::test]
async fn a_message_being_answered_by_a_killed_process_is_answered_by_the_next_one() {
    let mut stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Up).await;
    let (_, id, secret) = hook(&stack, &receiver).await;
    stack.slow_model(2.0);
    let (body, ts, signature) = signed(&secret, "c-mid-answer", "Is stretching useful?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    eventually(
        "the first process is answering",
        Duration::from_secs(20),
        || async { (stack.double.active_streams() > 0).then_some(()) },
    )
    .await;
    stack.crash(0);
    stack.slow_model_off();
    stack.channel().await;
    let reply = eventually(
        "the next process answers",
        Duration::from_secs(20),
        || async { receiver.taken().into_iter().next() },
    )
    .await;
    assert_eq!(reply.json()["conversation"], "c-mid-answer");
    settle(Duration::from_secs(1)).await;
    assert_eq!(receiver.taken().len(), 1, "answered once");
}
