use std::sync::Arc;

use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use super::*;

fn event(owner: Uuid, seq: u64) -> Published {
    Published {
        owner,
        seq,
        frame: Arc::from(format!(r#"{{"seq":{seq}}}"#)),
    }
}

async fn joined(
    hub: &Hub,
    conversation: Uuid,
    connection: u64,
    user: Uuid,
) -> mpsc::Receiver<Delivery> {
    let (tx, rx) = mpsc::channel(8);
    let sink = Sink::new(tx, Arc::new(Notify::new()));
    // Without a subscriber the join reports it, but the route is kept for the reconnection.
    assert!(
        hub.join(conversation, connection, user, sink)
            .await
            .is_err()
    );
    rx
}

#[tokio::test]
async fn an_event_reaches_only_the_connections_of_its_owner() {
    let hub = Hub::default();
    let (conversation, owner, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut mine = joined(&hub, conversation, 1, owner).await;
    let mut theirs = joined(&hub, conversation, 2, other).await;
    hub.dispatch(conversation, &event(owner, 1));
    assert_eq!(
        mine.try_recv().unwrap(),
        Delivery::Event {
            conversation,
            event: event(owner, 1)
        }
    );
    assert!(
        theirs.try_recv().is_err(),
        "another user's connection got the event"
    );
}

#[tokio::test]
async fn a_connection_that_left_gets_nothing_more() {
    let hub = Hub::default();
    let (conversation, owner) = (Uuid::new_v4(), Uuid::new_v4());
    let mut rx = joined(&hub, conversation, 1, owner).await;
    assert_eq!(hub.conversations(), 1);
    hub.leave(conversation, 1).await;
    assert_eq!(hub.conversations(), 0);
    hub.dispatch(conversation, &event(owner, 1));
    assert!(rx.try_recv().is_err());
}
