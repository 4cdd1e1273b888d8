//! The benchmark's WebSocket client, kept small so that 100k of them fit beside the server: a
//! socket bound to a chosen loopback source address, the upgrade with the token in
//! `Sec-WebSocket-Protocol`, and tungstenite buffers of a few KiB instead of its 128 KiB default.

use std::net::{IpAddr, SocketAddr};

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};
use uuid::Uuid;

/// The endpoint's path.
const PATH: &str = "/api/v1/channels/ws";
/// Read buffer per client connection: events are a few hundred bytes.
const READ_BUFFER: usize = 4 * 1024;

/// An open, authenticated connection.
pub type Ws = WebSocketStream<TcpStream>;

/// Opens a connection from `source` to the Channel at `server`, authenticated with `token`.
pub async fn connect(source: IpAddr, server: SocketAddr, token: &str) -> anyhow::Result<Ws> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    let stream = socket.connect(server).await?;
    let mut request = format!("ws://{server}{PATH}").into_client_request()?;
    let protocol = HeaderValue::from_str(&format!("bearer, {token}"))?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol);
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0);
    let (ws, response) = client_async_with_config(request, stream, Some(config)).await?;
    let chosen = response.headers().get("sec-websocket-protocol");
    if chosen.and_then(|v| v.to_str().ok()) != Some("bearer") {
        bail!("the server did not select the `bearer` subprotocol: {chosen:?}");
    }
    Ok(ws)
}

/// Reads until the connection ends, so that tungstenite answers the server's pings; returns
/// whether the server closed it (rather than the socket failing).
pub async fn hold(mut ws: Ws) -> bool {
    while let Some(frame) = ws.next().await {
        match frame {
            Ok(Message::Close(_)) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// Subscribes the connection to `conversation` from its start and waits for the `pong` of a
/// `ping` sent right after, so that the `resume` has been handled when this returns.
pub async fn resume(ws: &mut Ws, conversation: Uuid) -> anyhow::Result<()> {
    let resume = serde_json::json!({
        "type": "resume",
        "conversation_id": conversation,
        "last_seq": 0,
    });
    ws.send(Message::text(resume.to_string())).await?;
    ws.send(Message::text(r#"{"type":"ping"}"#)).await?;
    loop {
        let frame = ws.next().await.context("closed before the pong")??;
        if let Message::Text(text) = frame {
            match event_type(&text).as_deref() {
                Some("pong") => return Ok(()),
                Some("error") => bail!("resume refused: {text}"),
                _ => {}
            }
        }
    }
}

/// The `type` of a server event.
pub fn event_type(text: &Utf8Bytes) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(value.get("type")?.as_str()?.to_owned())
}
