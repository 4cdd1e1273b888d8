//! The replica's side of Redis pub/sub: the connections of this process that follow a
//! conversation, and one subscriber connection that receives the conversations' events from
//! every replica and hands each to the local connections whose user owns it.
//!
//! A connection [`Hub::join`]s a conversation (the channel is subscribed before `join`
//! returns, so a replay read after it misses nothing) and leaves it when it closes. An event
//! reaches a connection only if the event's owner is the connection's user — ownership is
//! checked on every event, not only when joining. A full send queue wakes the connection's
//! `overflow` instead of waiting: the hub never waits for a slow client. After the subscriber
//! reconnects, every connection is told to [`Delivery::Resync`] from the log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use redis::aio::{PubSubSink, PubSubStream};
use uuid::Uuid;

use crate::events::{Published, channel_name, conversation_of_channel};

mod sink;
#[cfg(test)]
mod tests;

pub use sink::{Delivery, Sink};

/// How long a join waits for Redis to confirm the subscription.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Waits between reconnection attempts of the subscriber.
const RECONNECT_DELAYS: [Duration; 4] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];

struct Route {
    connection: u64,
    user: Uuid,
    sink: Sink,
}

/// Why a conversation could not be followed.
#[derive(Debug, thiserror::Error)]
#[error("live events are unavailable (Redis pub/sub): {0}")]
pub struct JoinError(String);

#[derive(Default)]
struct Inner {
    routes: Mutex<HashMap<Uuid, Vec<Route>>>,
    subscriber: Mutex<Option<PubSubSink>>,
}

/// The local connections following conversations; cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    /// A hub whose subscriber connects to `redis_url` in a task of its own, reconnecting for
    /// as long as the process runs.
    pub fn start(redis_url: &str) -> Self {
        let hub = Self::default();
        match redis::Client::open(redis_url) {
            Ok(client) => {
                tokio::spawn(hub.clone().subscribe_forever(client));
            }
            Err(e) => tracing::error!(error = %e, "REDIS_URL is not usable; no live events"),
        }
        hub
    }

    /// Follows `conversation` for `user`'s connection `connection`; returns once Redis has
    /// confirmed the subscription.
    pub async fn join(
        &self,
        conversation: Uuid,
        connection: u64,
        user: Uuid,
        sink: Sink,
    ) -> Result<(), JoinError> {
        self.with_routes(|routes| {
            let list = routes.entry(conversation).or_default();
            list.retain(|route| route.connection != connection);
            list.push(Route {
                connection,
                user,
                sink,
            });
        });
        let subscriber = self
            .inner
            .subscriber
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut subscriber = subscriber.ok_or_else(|| JoinError("not connected".into()))?;
        match tokio::time::timeout(
            SUBSCRIBE_TIMEOUT,
            subscriber.subscribe(channel_name(conversation)),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(JoinError(e.to_string())),
            Err(_) => Err(JoinError("no confirmation within 2 s".into())),
        }
    }

    /// Stops following `conversation` for `connection`.
    pub async fn leave(&self, conversation: Uuid, connection: u64) {
        let last = self.with_routes(|routes| {
            let Some(list) = routes.get_mut(&conversation) else {
                return false;
            };
            list.retain(|route| route.connection != connection);
            let empty = list.is_empty();
            if empty {
                routes.remove(&conversation);
            }
            empty
        });
        let subscriber = self
            .inner
            .subscriber
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let (true, Some(mut subscriber)) = (last, subscriber) {
            let _ = subscriber.unsubscribe(channel_name(conversation)).await;
        }
    }

    /// How many conversations this replica follows.
    pub fn conversations(&self) -> usize {
        self.with_routes(|routes| routes.len())
    }

    /// Hands `event` of `conversation` to the connections of its owner.
    pub fn dispatch(&self, conversation: Uuid, event: &Published) {
        self.with_routes(|routes| {
            for route in routes.get(&conversation).into_iter().flatten() {
                if route.user == event.owner {
                    route.sink.offer(Delivery::Event {
                        conversation,
                        event: event.clone(),
                    });
                }
            }
        });
    }

    fn set_subscriber(&self, sink: Option<PubSubSink>) {
        *self
            .inner
            .subscriber
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = sink;
    }

    fn with_routes<T>(&self, f: impl FnOnce(&mut HashMap<Uuid, Vec<Route>>) -> T) -> T {
        f(&mut self
            .inner
            .routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
    }

    async fn subscribe_forever(self, client: redis::Client) {
        let mut failures = 0usize;
        loop {
            let connected = self.session(&client).await;
            self.set_subscriber(None);
            failures = if connected { 0 } else { failures + 1 };
            tokio::time::sleep(reconnect_delay(failures)).await;
        }
    }

    /// One subscriber connection, until it is lost; false when it could not be opened.
    async fn session(&self, client: &redis::Client) -> bool {
        match self.connect(client).await {
            Ok(stream) => {
                self.receive(stream).await;
                warn_lost();
                true
            }
            Err(e) => {
                warn_unavailable(&e);
                false
            }
        }
    }

    /// Opens the subscriber, subscribes every followed conversation again and tells their
    /// connections to resync.
    async fn connect(&self, client: &redis::Client) -> redis::RedisResult<PubSubStream> {
        let (mut sink, stream) = client.get_async_pubsub().await?.split();
        let followed: Vec<String> =
            self.with_routes(|routes| routes.keys().map(|id| channel_name(*id)).collect());
        if !followed.is_empty() {
            sink.subscribe(&followed).await?;
        }
        self.set_subscriber(Some(sink));
        self.with_routes(|routes| {
            routes
                .values()
                .flatten()
                .for_each(|route| route.sink.offer(Delivery::Resync));
        });
        Ok(stream)
    }

    async fn receive(&self, mut stream: PubSubStream) {
        while let Some(message) = stream.next().await {
            let Some(conversation) = conversation_of_channel(message.get_channel_name()) else {
                continue;
            };
            let payload: Result<String, _> = message.get_payload();
            if let Some(event) = payload.ok().as_deref().and_then(Published::parse) {
                self.dispatch(conversation, &event);
            }
        }
    }
}

fn reconnect_delay(failures: usize) -> Duration {
    RECONNECT_DELAYS[failures.min(RECONNECT_DELAYS.len() - 1)]
}

fn warn_lost() {
    tracing::warn!("Redis pub/sub connection lost; reconnecting");
}

fn warn_unavailable(e: &redis::RedisError) {
    tracing::warn!(error = %e, "Redis pub/sub unavailable");
}
