//! An open WebSocket connection over tokio-tungstenite: sends frames, reads events with a
//! timeout, and reports how the server closed.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// How long any one event may take to arrive.
pub const WAIT: Duration = Duration::from_secs(15);

/// What came next on a connection.
#[derive(Debug)]
pub enum Next {
    /// A JSON event.
    Event(Value),
    /// The connection ended: with a close frame's code, or `None` without one.
    Closed(Option<u16>, String),
    /// Nothing arrived in time.
    Silent,
}

/// An open connection.
pub struct Client {
    ws: WebSocketStream<TcpStream>,
    /// The subprotocol the server chose.
    pub protocol: Option<String>,
}

impl Client {
    /// Wraps an accepted connection whose server chose `protocol`.
    pub fn new(ws: WebSocketStream<TcpStream>, protocol: Option<String>) -> Self {
        Self { ws, protocol }
    }

    /// Sends `frame` as a text frame.
    pub async fn send(&mut self, frame: &Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    /// Sends any WebSocket message; the server may already have gone.
    pub async fn send_raw(&mut self, message: Message) -> Result<(), WsError> {
        self.ws.send(message).await
    }

    /// Queues `count` pings and flushes them; false when the server did not take them within
    /// `within` or the connection failed.
    pub async fn pings_taken(&mut self, count: usize, within: Duration) -> bool {
        let ping = json!({"type": "ping"}).to_string();
        let sent = async {
            for _ in 0..count {
                self.ws.feed(Message::text(ping.clone())).await?;
            }
            self.ws.flush().await
        };
        matches!(tokio::time::timeout(within, sent).await, Ok(Ok(())))
    }

    /// What comes next within `within`: an event, the end of the connection, or nothing.
    pub async fn next(&mut self, within: Duration) -> Next {
        loop {
            let message = match tokio::time::timeout(within, self.ws.next()).await {
                Err(_) => return Next::Silent,
                Ok(None) => return Next::Closed(None, String::new()),
                Ok(Some(Err(e))) => return Next::Closed(None, e.to_string()),
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    let event = serde_json::from_str(&text);
                    return Next::Event(event.unwrap_or_else(|e| panic!("{e}: {text}")));
                }
                Message::Close(frame) => {
                    let (code, reason) = frame.map_or((None, String::new()), |f| {
                        (Some(u16::from(f.code)), f.reason.to_string())
                    });
                    return Next::Closed(code, reason);
                }
                Message::Binary(_) => panic!("the server sent a binary frame"),
                _ => {}
            }
        }
    }

    /// The next event, which must come within [`WAIT`].
    pub async fn event(&mut self) -> Value {
        match self.next(WAIT).await {
            Next::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Events up to and including the first that `stop` accepts.
    pub async fn until(&mut self, stop: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            match self.next(WAIT).await {
                Next::Event(event) => {
                    let last = stop(&event);
                    seen.push(event);
                    if last {
                        return seen;
                    }
                }
                other => panic!("got {other:?} after {seen:#?}"),
            }
        }
    }

    /// Sends `ping` and returns the events that came before the `pong`.
    pub async fn pong(&mut self) -> Vec<Value> {
        self.send(&json!({"type": "ping"})).await;
        let mut seen = self.until(|e| e["type"] == "pong").await;
        let pong = seen.pop().unwrap();
        assert_eq!(pong["conversation_id"], Value::Null, "{pong}");
        assert_eq!(pong["seq"], Value::Null, "{pong}");
        seen
    }

    /// Reads past any events until the connection ends (within `within`); the close code.
    pub async fn closed(&mut self, within: Duration) -> (Option<u16>, String) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Next::Event(_) => {}
                Next::Closed(code, reason) => return (code, reason),
                Next::Silent => panic!("the connection was still open after {within:?}"),
            }
        }
    }
}
