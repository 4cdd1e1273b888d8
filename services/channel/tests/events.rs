//! The event log and the hub against the real Redis of the local stack (`REDIS_URL`):
//! `seq`s, replay, trimming, claims of message ids, and pub/sub between two hubs as between
//! two replicas.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use coachai_channel::ChannelSettings;
use coachai_channel::events::{Claim, EventLog};
use coachai_channel::hub::{Delivery, Hub, Sink};
use coachai_channel::protocol::{EventKind, ServerEvent};
use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:63799".into())
}

fn log_keeping(max_events: u64) -> EventLog {
    let settings = ChannelSettings {
        channel_resume_max_events: max_events,
        ..ChannelSettings::default()
    };
    EventLog::new(&redis_url(), &settings)
}

fn token(text: &str) -> EventKind {
    EventKind::Token { text: text.into() }
}

#[tokio::test]
async fn appended_events_get_consecutive_seqs_and_replay_after_the_last_seen() {
    let log = log_keeping(100);
    let (owner, conversation) = (Uuid::new_v4(), Uuid::new_v4());
    for (i, text) in ["a", "b", "c"].iter().enumerate() {
        let event = log
            .append(owner, conversation, &token(text))
            .await
            .expect("Redis at REDIS_URL");
        assert_eq!(event.seq, i as u64 + 1);
        let parsed: ServerEvent = serde_json::from_str(&event.frame).unwrap();
        assert_eq!(
            parsed,
            ServerEvent::in_conversation(conversation, event.seq, token(text))
        );
    }
    let replay = log.replay(owner, conversation, 1).await.unwrap();
    assert_eq!(
        replay.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(replay.gone, None);
    assert!(
        log.replay(owner, conversation, 3)
            .await
            .unwrap()
            .events
            .is_empty()
    );
}

#[tokio::test]
async fn another_users_replay_of_a_conversation_is_empty() {
    let log = log_keeping(100);
    let (owner, conversation) = (Uuid::new_v4(), Uuid::new_v4());
    log.append(owner, conversation, &token("secret"))
        .await
        .unwrap();
    let replay = log.replay(Uuid::new_v4(), conversation, 0).await.unwrap();
    assert!(replay.events.is_empty());
}

#[tokio::test]
async fn events_trimmed_away_are_reported_gone() {
    let log = log_keeping(1);
    let (owner, conversation) = (Uuid::new_v4(), Uuid::new_v4());
    for i in 0..400 {
        log.append(owner, conversation, &token(&i.to_string()))
            .await
            .unwrap();
    }
    let replay = log.replay(owner, conversation, 0).await.unwrap();
    let (from, to) = replay.gone.expect("the oldest events are gone");
    assert_eq!(from, 1);
    assert_eq!(replay.events.first().unwrap().seq, to + 1);
    assert_eq!(replay.events.last().unwrap().seq, 400);
}

#[tokio::test]
async fn a_message_id_is_claimed_once_and_then_tells_its_ack() {
    let log = log_keeping(100);
    let (user, id, conversation) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(log.claim(user, id).await.unwrap(), Claim::New);
    assert_eq!(log.claim(user, id).await.unwrap(), Claim::Pending);
    let ack = log
        .append(user, conversation, &EventKind::Ack { id })
        .await
        .unwrap();
    log.acked(user, id, conversation, &ack).await.unwrap();
    assert_eq!(
        log.claim(user, id).await.unwrap(),
        Claim::Acked { conversation, ack }
    );
    assert_eq!(
        log.claim(Uuid::new_v4(), id).await.unwrap(),
        Claim::New,
        "ids are per user"
    );
}

#[tokio::test]
async fn a_released_claim_can_be_sent_again() {
    let log = log_keeping(100);
    let (user, id) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(log.claim(user, id).await.unwrap(), Claim::New);
    log.release(user, id).await.unwrap();
    assert_eq!(log.claim_of(user, id).await.unwrap(), None);
    assert_eq!(log.claim(user, id).await.unwrap(), Claim::New);
}

#[tokio::test]
async fn an_event_appended_by_one_replica_reaches_a_connection_of_another() {
    let log = log_keeping(100);
    let hub = Hub::start(&redis_url());
    let (owner, conversation) = (Uuid::new_v4(), Uuid::new_v4());
    let (tx, mut rx) = mpsc::channel(8);
    let sink = Sink::new(tx, Arc::new(Notify::new()));
    let mut joined = hub.join(conversation, 1, owner, sink.clone()).await;
    for _ in 0..50 {
        if joined.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        joined = hub.join(conversation, 1, owner, sink.clone()).await;
    }
    joined.expect("the hub subscribed within 5 s");
    let sent = log
        .append(owner, conversation, &token("live"))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match rx.recv().await {
                Some(Delivery::Event { event, .. }) => return event,
                Some(Delivery::Resync) => continue,
                None => panic!("the sink closed"),
            }
        }
    })
    .await
    .expect("the event arrived through pub/sub");
    assert_eq!(got, sent);
}
