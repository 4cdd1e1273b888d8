//! Tenancy on the WebSocket: concurrent chats of two creators through the gateway each carry
//! only their own conversation, and a client cannot resume another client's conversation.

use std::time::Duration;

use uuid::Uuid;

use crate::support::client::Next;
use crate::support::dial::{Credential, Dial};
use crate::support::events::{answer, assert_new_answer, ends_answer, is_error, message, resume};
use crate::support::stack::{Shape, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_creators_chatting_at_once_through_the_gateway_each_see_only_their_own_conversation() {
    let stack = Stack::start(Shape {
        replicas: 1,
        gateway: true,
    })
    .await;
    stack.slow_model(40.0);
    let (creator_a, creator_b) = (stack.creator().await, stack.creator().await);
    let (alice, bob) = (stack.client(creator_a).await, stack.client(creator_b).await);
    let mut a = Dial::new(stack.edge(), Credential::Bearer(alice.token))
        .connect()
        .await;
    let mut b = Dial::new(stack.edge(), Credential::Bearer(bob.token))
        .connect()
        .await;
    assert_eq!(a.protocol.as_deref(), Some("bearer"));
    let (id_a, id_b) = (Uuid::new_v4(), Uuid::new_v4());

    a.send(&message(
        id_a,
        None,
        "How should I breathe during a kettlebell swing?",
    ))
    .await;
    b.send(&message(
        id_b,
        None,
        "When should I rest between rowing intervals?",
    ))
    .await;
    let (seen_a, seen_b) = tokio::join!(a.until(ends_answer), b.until(ends_answer));

    let conversation_a = assert_new_answer(&seen_a, id_a);
    let conversation_b = assert_new_answer(&seen_b, id_b);
    assert_ne!(conversation_a, conversation_b);
    assert!(answer(&seen_a).contains("kettlebell"), "{seen_a:#?}");
    assert!(answer(&seen_b).contains("rowing"), "{seen_b:#?}");
    assert!(!answer(&seen_a).contains("rowing"), "{seen_a:#?}");
    assert_eq!(a.pong().await, Vec::<serde_json::Value>::new());
    assert_eq!(b.pong().await, Vec::<serde_json::Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_another_clients_conversation_of_the_same_creator_is_not_found_and_shows_nothing()
{
    let stack = Stack::start(Shape {
        replicas: 1,
        gateway: false,
    })
    .await;
    stack.slow_model(10.0);
    let creator = stack.creator().await;
    let (alice, mallory) = (stack.client(creator).await, stack.client(creator).await);
    let mut a = Dial::new(stack.replica(0), Credential::Bearer(alice.token))
        .connect()
        .await;
    let mut m = Dial::new(stack.replica(0), Credential::Bearer(mallory.token))
        .connect()
        .await;
    let id = Uuid::new_v4();
    a.send(&message(id, None, "What is my private training plan?"))
        .await;
    let ack = a.event().await;
    let conversation_id = ack["conversation_id"].as_str().unwrap().to_owned();

    m.send(&resume(&conversation_id, 0)).await;

    let refused = m.event().await;
    assert!(is_error(&refused, "not_found"), "{refused}");
    let seen_a = a.until(ends_answer).await;
    assert_eq!(seen_a.last().unwrap()["type"], "done", "{seen_a:#?}");
    match m.next(Duration::from_millis(500)).await {
        Next::Silent => {}
        other => panic!("the other client got {other:?} of a conversation not theirs"),
    }
    assert_eq!(m.pong().await, Vec::<serde_json::Value>::new());
}
