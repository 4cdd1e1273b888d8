//! Opening a connection to `/api/v1/channels/ws`: with the `bearer` subprotocol or a ticket,
//! optionally with an `Origin` and a tiny receive buffer; a refused handshake is its HTTP answer.

use std::net::SocketAddr;

use serde_json::Value;
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::ClientRequestBuilder;

use super::client::Client;

/// The endpoint's path.
pub const PATH: &str = "/api/v1/channels/ws";

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
            Ok((ws, response)) => Ok(Client::new(
                ws,
                header(response.headers(), "sec-websocket-protocol"),
            )),
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

fn header(headers: &tokio_tungstenite::tungstenite::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
