//! A WebSocket client of `/api/v1/channels/ws` over tokio-tungstenite: dials with the `bearer`
//! subprotocol or a ticket (optionally with an `Origin`, optionally with a tiny receive buffer),
//! sends frames, reads events with a timeout, and reports how the server closed.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::ClientRequestBuilder;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The endpoint's path.
pub const PATH: &str = "/api/v1/channels/ws";
/// How long any one event may take to arrive.
pub const WAIT: Duration = Duration::from_secs(15);

/// How a connection authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Sec-WebSocket-Protocol: bearer, <token or API key>`.
    Bearer(String),
    /// `?ticket=<ticket>`.
    Ticket(String),
    /// Neither.
    Nothing,
}

/// The answer to a handshake the server refused.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// The body, `Null` unless JSON.
    pub body: Value,
}

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

/// A connection to be opened.
pub struct Dial {
    addr: SocketAddr,
    credential: Credential,
    origin: Option<String>,
    tiny_receive_buffer: bool,
}

impl Dial {
    /// A connection to `addr` (a Channel process or the gateway) with `credential`.
    pub fn new(addr: SocketAddr, credential: Credential) -> Self {
        Self {
            addr,
            credential,
            origin: None,
            tiny_receive_buffer: false,
        }
    }

    /// Sends `Origin: origin`, as a browser would.
    pub fn origin(mut self, origin: &str) -> Self {
        self.origin = Some(origin.to_owned());
        self
    }

    /// Makes the socket's receive buffer as small as the kernel allows, so the server's writes
    /// block soon when this client does not read.
    pub fn tiny_receive_buffer(mut self) -> Self {
        self.tiny_receive_buffer = true;
        self
    }

    /// Opens the connection; a handshake the server answers without upgrading is `Err`.
    pub async fn open(self) -> Result<Client, Refusal> {
        let mut uri = format!("ws://{}{PATH}", self.addr);
        let mut request = ClientRequestBuilder::new(uri.parse().unwrap());
        match &self.credential {
            Credential::Bearer(token) => {
                request = request.with_sub_protocol("bearer").with_sub_protocol(token);
            }
            Credential::Ticket(ticket) => {
                uri.push_str(&format!("?ticket={ticket}"));
                request = ClientRequestBuilder::new(uri.parse().unwrap());
            }
            Credential::Nothing => {}
        }
        if let Some(origin) = &self.origin {
            request = request.with_header("Origin", origin);
        }
        let socket = TcpSocket::new_v4().unwrap();
        if self.tiny_receive_buffer {
            socket.set_recv_buffer_size(1024).unwrap();
        }
        let stream = socket.connect(self.addr).await.unwrap();
        match tokio_tungstenite::client_async(request, stream).await {
            Ok((ws, response)) => Ok(Client {
                ws,
                protocol: header(response.headers(), "sec-websocket-protocol"),
            }),
            Err(WsError::Http(response)) => Err(Refusal {
                status: response.status().as_u16(),
                content_type: header(response.headers(), "content-type").unwrap_or_default(),
                body: response
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null),
            }),
            Err(e) => panic!("the WebSocket handshake with {} failed: {e}", self.addr),
        }
    }

    /// Opens the connection, which must be accepted.
    pub async fn connect(self) -> Client {
        let addr = self.addr;
        match self.open().await {
            Ok(client) => client,
            Err(refusal) => panic!("the handshake with {addr} was refused: {refusal:?}"),
        }
    }

    /// Opens the connection, which must be refused; returns the refusal.
    pub async fn refused(self) -> Refusal {
        match self.open().await {
            Ok(client) => panic!("the handshake was accepted ({:?})", client.protocol),
            Err(refusal) => refusal,
        }
    }
}

/// An open connection.
pub struct Client {
    ws: WebSocketStream<TcpStream>,
    /// The subprotocol the server chose.
    pub protocol: Option<String>,
}

impl Client {
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

fn header(headers: &tokio_tungstenite::tungstenite::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
