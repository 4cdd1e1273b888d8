//! Bad input costs the sender an `error` event (or, for an oversize frame, the connection with
//! 1009) and nobody else anything: non-JSON, binary and unknown frames, a 2 MB frame, a flood.

use std::time::Duration;

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::support::client::Client;
use crate::support::dial::{Credential, Dial};
use crate::support::events::{count, is_error, kind, message};
use crate::support::stack::{Shape, Stack};

/// A stack with one replica and two connections of one client on it.
async fn two_connections() -> (Stack, Client, Client) {
    let stack = Stack::start(Shape {
        replicas: 1,
        gateway: false,
    })
    .await;
    let user = stack.client(stack.creator().await).await;
    let dial = || Dial::new(stack.replica(0), Credential::Bearer(user.token.clone()));
    let (a, b) = (dial().connect().await, dial().connect().await);
    (stack, a, b)
}

/// Asserts a connection-level `error` with `code` (no conversation, no seq).
fn assert_refused(event: &Value, code: &str) {
    assert!(is_error(event, code), "expected error {code}, got {event}");
    assert_eq!(event["conversation_id"], Value::Null, "{event}");
    assert_eq!(event["seq"], Value::Null, "{event}");
    let detail = event["detail"].as_str().unwrap_or_default();
    assert!(!detail.is_empty() && detail.len() <= 200, "{event}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_json_binary_and_unknown_frames_get_error_events_and_the_connection_keeps_answering() {
    let (_stack, mut client, mut other) = two_connections().await;

    client
        .send_raw(Message::text("this is not json {"))
        .await
        .unwrap();
    assert_refused(&client.event().await, "malformed_json");
    client
        .send_raw(Message::binary(vec![0u8, 159, 146, 150]))
        .await
        .unwrap();
    assert_refused(&client.event().await, "malformed_json");
    client.send_raw(Message::text("[1, 2, 3]")).await.unwrap();
    assert_refused(&client.event().await, "malformed_json");
    client
        .send(&json!({"type": "shout", "text": "HELLO"}))
        .await;
    let unknown = client.event().await;
    assert_refused(&unknown, "unknown_type");
    assert!(
        unknown["detail"].as_str().unwrap().contains("shout"),
        "{unknown}"
    );
    client
        .send(&json!({"type": "resume", "conversation_id": "x", "last_seq": -1}))
        .await;
    assert_refused(&client.event().await, "invalid_field");

    assert_eq!(client.pong().await, Vec::<Value>::new());
    assert_eq!(other.pong().await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_megabyte_frame_closes_its_connection_with_1009_and_the_other_keeps_working() {
    let (_stack, mut big, mut other) = two_connections().await;
    let text = "x".repeat(2 * 1024 * 1024);

    // The server may stop reading before the whole frame is written; the close is what counts.
    let _ = big
        .send_raw(Message::text(
            json!({"type": "message", "id": Uuid::new_v4(), "text": text}).to_string(),
        ))
        .await;

    let (code, reason) = big.closed(Duration::from_secs(10)).await;
    assert_eq!(code, Some(1009), "closed with {code:?} {reason:?}");
    assert_eq!(other.pong().await, Vec::<Value>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_messages_is_rate_limited_and_neither_connection_is_closed() {
    let (_stack, mut flooder, mut other) = two_connections().await;

    for i in 0..30 {
        flooder
            .send(&message(Uuid::new_v4(), None, &format!("flood {i}")))
            .await;
    }
    // Every message is either acknowledged or refused; answers to the accepted ones stream too.
    let settled = std::cell::Cell::new(0);
    let seen = flooder
        .until(|e| {
            let counts = kind(e) == "ack" || is_error(e, "rate_limited");
            settled.set(settled.get() + usize::from(counts));
            settled.get() == 30
        })
        .await;

    let accepted = count(&seen, "ack");
    assert!(
        (10..=15).contains(&accepted),
        "{accepted} of 30 accepted: {seen:#?}"
    );
    let limited: Vec<&Value> = seen
        .iter()
        .filter(|e| is_error(e, "rate_limited"))
        .collect();
    assert_eq!(limited.len(), 30 - accepted);
    assert_refused(limited[0], "rate_limited");
    assert_eq!(other.pong().await, Vec::<Value>::new());
    flooder.send(&json!({"type": "ping"})).await;
    flooder.until(|e| kind(e) == "pong").await;
}
