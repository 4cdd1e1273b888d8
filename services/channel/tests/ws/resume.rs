//! Resume and idempotent sends: a connection cut mid-answer resumes from its last `seq` and
//! gets the rest of the answer exactly once; a message id sent twice, on the same connection
//! or a new one, is acknowledged each time and answered once (a new connection gets that answer).

use std::time::Duration;

use serde_json::Value;
use uuid::Uuid;

use crate::support::dial::{Credential, Dial};
use crate::support::events::{
    answer, assert_new_answer, assert_sequence, conversation, count, ends_answer, kind, message,
    resume, seq, words,
};
use crate::support::stack::{Shape, Stack};

async fn one_replica() -> Stack {
    Stack::start(Shape {
        replicas: 1,
        gateway: false,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cut_off_mid_answer_resumes_from_its_last_seq_and_gets_the_rest_exactly_once() {
    let stack = one_replica().await;
    stack.slow_model(5.0);
    let user = stack.client(stack.creator().await).await;
    let dial = || Dial::new(stack.replica(0), Credential::Bearer(user.token.clone()));
    let mut first = dial().connect().await;
    let id = Uuid::new_v4();
    first
        .send(&message(
            id,
            None,
            "How many kettlebell swings should a beginner do each day?",
        ))
        .await;
    let tokens_seen = std::cell::Cell::new(0);
    let before = first
        .until(|e| {
            tokens_seen.set(tokens_seen.get() + usize::from(kind(e) == "token"));
            tokens_seen.get() == 3
        })
        .await;
    let conversation_id = conversation(&before[0]);
    let last_seq = seq(before.last().unwrap());

    drop(first);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut second = dial().connect().await;
    second.send(&resume(&conversation_id, last_seq)).await;
    let rest = second.until(ends_answer).await;

    assert_sequence(&before, &conversation_id, 1);
    assert_sequence(&rest, &conversation_id, last_seq + 1);
    assert_eq!(kind(rest.last().unwrap()), "done", "{rest:#?}");
    assert_eq!(count(&rest, "ack"), 0, "{rest:#?}");
    let whole: Vec<Value> = before.iter().chain(&rest).cloned().collect();
    let generations = stack.double.generations();
    assert_eq!(generations.len(), 1, "the model answered once");
    assert_eq!(answer(&whole), words(&generations[0].reply));
    assert_eq!(
        second.pong().await,
        Vec::<Value>::new(),
        "nothing after done"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_a_finished_conversation_from_zero_replays_every_event_once() {
    let stack = one_replica().await;
    let user = stack.client(stack.creator().await).await;
    let dial = || Dial::new(stack.replica(0), Credential::Bearer(user.token.clone()));
    let mut first = dial().connect().await;
    first
        .send(&message(
            Uuid::new_v4(),
            None,
            "What should I eat after training?",
        ))
        .await;
    let live = first.until(ends_answer).await;
    let conversation_id = conversation(&live[0]);

    let mut later = dial().connect().await;
    later.send(&resume(&conversation_id, 0)).await;
    let replayed = later.until(ends_answer).await;

    assert_eq!(replayed, live);
    assert_eq!(later.pong().await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_id_sent_twice_and_again_on_a_new_connection_is_answered_once() {
    let stack = one_replica().await;
    stack.slow_model(20.0);
    let user = stack.client(stack.creator().await).await;
    let dial = || Dial::new(stack.replica(0), Credential::Bearer(user.token.clone()));
    let mut client = dial().connect().await;
    let id = Uuid::new_v4();
    let frame = message(id, None, "Should I stretch before or after running?");

    client.send(&frame).await;
    client.send(&frame).await;
    let mut seen = client.until(ends_answer).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    seen.extend(client.pong().await);
    let mut other = dial().connect().await;
    other.send(&frame).await;
    let delivered = other.until(ends_answer).await;

    // The second copy's ack is the first's again; otherwise the connection saw one answer.
    let acks: Vec<&Value> = seen.iter().filter(|e| kind(e) == "ack").collect();
    assert_eq!(acks.len(), 2, "{seen:#?}");
    assert_eq!(acks[0], acks[1]);
    let once: Vec<Value> = std::iter::once(acks[0].clone())
        .chain(seen.iter().filter(|e| kind(e) != "ack").cloned())
        .collect();
    assert_new_answer(&once, id);
    // A new connection sending it again gets that ack and that answer, not a new one.
    assert_eq!(delivered, once);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(other.pong().await, Vec::<Value>::new());
    assert_eq!(stack.answers_asked(), 1, "the model was asked once");
}
