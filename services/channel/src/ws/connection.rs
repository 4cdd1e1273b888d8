//! One WebSocket connection: a single task that reads the client's frames, writes the events
//! of the conversations it follows, pings, and closes — with every wait bounded.
//!
//! The per-connection state is small (its session, a token bucket, the followed conversations
//! with the last `seq` sent); the queue of deliveries and the lane for the answers' notices are
//! created only when the connection first follows a conversation, so an idle connection holds
//! little more than its socket.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use tokio::sync::{Notify, mpsc};
use tokio::time::{Instant, Interval, MissedTickBehavior};
use uuid::Uuid;

use super::Channel;
use super::session::Session;
use crate::answer::Notice;
use crate::hub::{Delivery, Sink};
use crate::protocol::{Close, MessageRate};

/// The longest a write to the client may take; a client that reads nothing is closed after it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Notices of answers a connection may have waiting.
const NOTICES: usize = 16;

/// What woke the connection.
pub(super) enum Input {
    Frame(Option<Result<Message, axum::Error>>),
    Delivery(Delivery),
    Notice(Notice),
    Overflow,
    Tick,
}

/// The queues a connection gets once it follows a conversation.
pub(super) struct Lanes {
    pub deliveries: mpsc::Receiver<Delivery>,
    pub sink: Sink,
    pub notices: mpsc::Receiver<Notice>,
    pub notify: mpsc::Sender<Notice>,
    pub overflow: Arc<Notify>,
}

/// Whether the connection goes on.
pub(super) enum Step {
    Continue,
    Close(Close),
    Gone,
}

/// A connection's state.
pub(super) struct Connection {
    pub socket: WebSocket,
    pub channel: Arc<Channel>,
    pub session: Session,
    pub followed: HashMap<Uuid, u64>,
    pub lanes: Option<Lanes>,
    pub rate: MessageRate,
    pub last_heard: Instant,
}

/// Serves `socket` for `session` until either side closes it.
pub async fn serve(socket: WebSocket, channel: Arc<Channel>, session: Session) {
    let now = Instant::now();
    let heartbeat = channel.settings.heartbeat();
    let mut connection = Connection {
        socket,
        channel,
        session,
        followed: HashMap::new(),
        lanes: None,
        rate: MessageRate::standard(now.into_std()),
        last_heard: now,
    };
    let mut tick = tokio::time::interval_at(now + heartbeat, heartbeat);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    metrics::gauge!("coachai_channel_connections").increment(1);
    let close = connection.run(&mut tick).await;
    // Boxed: the task of an idle connection is as large as its largest waiting state, so the
    // rare, large states live on the heap only while they run (12.5 → 5.4 KiB a connection).
    if let Some(close) = close {
        Box::pin(connection.close(close)).await;
    }
    Box::pin(connection.leave_all()).await;
    metrics::gauge!("coachai_channel_connections").decrement(1);
}

impl Connection {
    async fn run(&mut self, tick: &mut Interval) -> Option<Close> {
        loop {
            let step = match self.next(tick).await {
                Input::Frame(Some(Ok(frame))) => Box::pin(self.on_frame(frame)).await,
                Input::Frame(Some(Err(error))) => on_read_error(error),
                Input::Frame(None) => Step::Gone,
                Input::Delivery(delivery) => Box::pin(self.deliver(delivery)).await,
                Input::Notice(notice) => Box::pin(self.on_notice(notice)).await,
                Input::Overflow => Step::Close(Close::SLOW_CLIENT),
                Input::Tick => Box::pin(self.heartbeat()).await,
            };
            match step {
                Step::Continue => {}
                Step::Close(close) => return Some(close),
                Step::Gone => return None,
            }
        }
    }

    async fn next(&mut self, tick: &mut Interval) -> Input {
        let (deliveries, notices, overflow) = match self.lanes.as_mut() {
            Some(lanes) => (
                Some(&mut lanes.deliveries),
                Some(&mut lanes.notices),
                Some(lanes.overflow.clone()),
            ),
            None => (None, None, None),
        };
        tokio::select! {
            frame = self.socket.recv() => Input::Frame(frame),
            Some(delivery) = recv(deliveries) => Input::Delivery(delivery),
            Some(notice) = recv(notices) => Input::Notice(notice),
            () = overflowed(overflow) => Input::Overflow,
            _ = tick.tick() => Input::Tick,
        }
    }

    async fn heartbeat(&mut self) -> Step {
        if self.last_heard.elapsed() >= self.channel.settings.idle() {
            return Step::Close(Close::IDLE_TIMEOUT);
        }
        self.write(Message::Ping(Default::default())).await
    }

    /// Writes one message within [`WRITE_TIMEOUT`].
    pub(super) async fn write(&mut self, message: Message) -> Step {
        match tokio::time::timeout(WRITE_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Step::Continue,
            Ok(Err(_)) => Step::Gone,
            Err(_) => {
                metrics::counter!("coachai_channel_slow_clients_total").increment(1);
                Step::Gone
            }
        }
    }

    /// Writes one JSON text frame.
    pub(super) async fn send_text(&mut self, frame: &str) -> Step {
        self.write(Message::Text(frame.into())).await
    }

    async fn close(&mut self, close: Close) {
        let frame = CloseFrame {
            code: close.code,
            reason: close.reason.into(),
        };
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            self.socket.send(Message::Close(Some(frame))),
        )
        .await;
    }

    /// The connection's lanes, created on first use.
    pub(super) fn lanes(&mut self) -> &mut Lanes {
        let capacity = self.channel.settings.channel_send_queue;
        self.lanes.get_or_insert_with(|| {
            let (tx, deliveries) = mpsc::channel(capacity);
            let (notify, notices) = mpsc::channel(NOTICES);
            let overflow = Arc::new(Notify::new());
            Lanes {
                deliveries,
                sink: Sink::new(tx, overflow.clone()),
                notices,
                notify,
                overflow,
            }
        })
    }

    async fn leave_all(&mut self) {
        let hub = self.channel.hub.clone();
        for conversation in self.followed.keys() {
            hub.leave(*conversation, self.session.id).await;
        }
    }
}

/// A read error: a frame over the size limit is closed with 1009; anything else ends it.
fn on_read_error(error: axum::Error) -> Step {
    let too_large = error
        .into_inner()
        .downcast::<tungstenite::Error>()
        .is_ok_and(|e| matches!(*e, tungstenite::Error::Capacity(_)));
    if too_large {
        Step::Close(Close::FRAME_TOO_LARGE)
    } else {
        Step::Gone
    }
}

async fn recv<T>(rx: Option<&mut mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn overflowed(overflow: Option<Arc<Notify>>) {
    match overflow {
        Some(overflow) => overflow.notified().await,
        None => std::future::pending().await,
    }
}
