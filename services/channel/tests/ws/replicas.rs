//! Two Channel processes share events through Redis: a client connected to replica 1 gets the
//! answer to a message sent through replica 2, live and in order.

use serde_json::Value;
use uuid::Uuid;

use crate::support::dial::{Credential, Dial};
use crate::support::events::{
    answer, assert_new_answer, assert_sequence, count, ends_answer, kind, message, resume, seq,
};
use crate::support::stack::{Shape, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_produced_through_replica_two_reaches_the_client_on_replica_one() {
    let stack = Stack::start(Shape {
        replicas: 2,
        gateway: false,
    })
    .await;
    stack.slow_model(20.0);
    let user = stack.client(stack.creator().await).await;
    let dial = |replica| {
        Dial::new(
            stack.replica(replica),
            Credential::Bearer(user.token.clone()),
        )
    };
    let mut phone = dial(1).connect().await;
    let first = Uuid::new_v4();
    phone
        .send(&message(first, None, "How do I start running?"))
        .await;
    let started = phone.until(ends_answer).await;
    let conversation_id = assert_new_answer(&started, first);
    let caught_up = seq(started.last().unwrap());
    let mut laptop = dial(0).connect().await;
    laptop.send(&resume(&conversation_id, caught_up)).await;
    assert_eq!(
        laptop.pong().await,
        Vec::<Value>::new(),
        "nothing to replay"
    );

    let second = Uuid::new_v4();
    let follow_up = message(
        second,
        Some(&conversation_id),
        "And how far in the first week?",
    );
    phone.send(&follow_up).await;
    let on_phone = phone.until(ends_answer).await;
    let on_laptop = laptop.until(ends_answer).await;

    assert_sequence(&on_laptop, &conversation_id, caught_up + 1);
    assert_eq!(kind(&on_laptop[0]), "ack", "{on_laptop:#?}");
    assert_eq!(on_laptop[0]["id"], second.to_string());
    assert_eq!(kind(on_laptop.last().unwrap()), "done", "{on_laptop:#?}");
    assert_eq!(count(&on_laptop, "done"), 1, "{on_laptop:#?}");
    assert_eq!(on_laptop, on_phone);
    assert!(answer(&on_laptop).contains("far"), "{on_laptop:#?}");
}
