//! What the hub hands to a connection, and the bounded queue it hands it through.

use std::sync::Arc;

use tokio::sync::{Notify, mpsc};
use uuid::Uuid;

use crate::events::Published;

/// What the hub hands to a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// An event of a conversation the connection follows.
    Event {
        /// The conversation.
        conversation: Uuid,
        /// The event.
        event: Published,
    },
    /// Events may have been missed (the subscriber reconnected): read the log again.
    Resync,
}

/// Where the hub puts a connection's deliveries.
#[derive(Debug, Clone)]
pub struct Sink {
    tx: mpsc::Sender<Delivery>,
    overflow: Arc<Notify>,
}

impl Sink {
    /// A sink over `tx`; `overflow` is notified when `tx` is full.
    pub fn new(tx: mpsc::Sender<Delivery>, overflow: Arc<Notify>) -> Self {
        Self { tx, overflow }
    }

    pub(super) fn offer(&self, delivery: Delivery) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(delivery) {
            self.overflow.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_wakes_the_connection_instead_of_waiting() {
        let (tx, mut rx) = mpsc::channel(1);
        let overflow = Arc::new(Notify::new());
        let sink = Sink::new(tx, overflow.clone());
        sink.offer(Delivery::Resync);
        sink.offer(Delivery::Resync);
        tokio::time::timeout(std::time::Duration::from_secs(1), overflow.notified())
            .await
            .expect("the overflow was signalled");
        assert_eq!(rx.recv().await, Some(Delivery::Resync));
    }
}
