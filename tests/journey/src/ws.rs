//! A chat client over the Channel's WebSocket through the gateway (tokio-tungstenite): opens with
//! the `bearer` subprotocol or a ticket, sends `message` and `resume` frames, and reads events
//! within a bound, so a silent server is a failure rather than a stuck suite.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::ClientRequestBuilder;
use uuid::Uuid;

use crate::error::JourneyError;

/// The endpoint's path behind the gateway.
pub const PATH: &str = "/api/v1/channels/ws";

/// How a connection authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Sec-WebSocket-Protocol: bearer, <access token>`.
    Bearer(String),
    /// `?ticket=<ticket>` from `POST /channels/ws-ticket`.
    Ticket(String),
}

/// What a message's answer came to: its events in order, and how it ended.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// Every event read, the last one `done` or `error`.
    pub events: Vec<Value>,
}

impl Answer {
    /// The `token` texts joined.
    pub fn text(&self) -> String {
        self.of_type("token")
            .filter_map(|e| e["text"].as_str())
            .collect()
    }

    /// The `done` event, if the answer completed.
    pub fn done(&self) -> Option<&Value> {
        self.of_type("done").next()
    }

    /// The `error` event, if the answer failed.
    pub fn error(&self) -> Option<&Value> {
        self.of_type("error").next()
    }

    /// The conversation the events belong to (from the first that names one).
    pub fn conversation_id(&self) -> Option<String> {
        self.events
            .iter()
            .find_map(|e| e["conversation_id"].as_str().map(str::to_owned))
    }

    /// The `seq` of every event that has one, in order of arrival.
    pub fn seqs(&self) -> Vec<u64> {
        self.events
            .iter()
            .filter_map(|e| e["seq"].as_u64())
            .collect()
    }

    /// The events of `kind`.
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |e| e["type"] == kind)
    }
}

/// An open chat connection.
pub struct Chat {
    ws: WebSocketStream<TcpStream>,
}

impl std::fmt::Debug for Chat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chat").finish_non_exhaustive()
    }
}

impl Chat {
    /// Opens `ws://<gateway>/api/v1/channels/ws` (`gateway` is `host:port`) with `credential`.
    pub async fn open(gateway: &str, credential: &Credential) -> Result<Self, JourneyError> {
        let invalid = |e: &dyn std::fmt::Display| JourneyError::Unexpected {
            what: format!("the WebSocket URI of {gateway}"),
            detail: e.to_string(),
        };
        let request = match credential {
            Credential::Bearer(token) => {
                let uri = format!("ws://{gateway}{PATH}");
                ClientRequestBuilder::new(uri.parse().map_err(|e| invalid(&e))?)
                    .with_sub_protocol("bearer")
                    .with_sub_protocol(token.clone())
            }
            Credential::Ticket(ticket) => {
                let uri = format!("ws://{gateway}{PATH}?ticket={ticket}");
                ClientRequestBuilder::new(uri.parse().map_err(|e| invalid(&e))?)
            }
        };
        let stream = TcpStream::connect(gateway).await.map_err(|e| invalid(&e))?;
        let (ws, _) = tokio_tungstenite::client_async(request, stream).await?;
        Ok(Self { ws })
    }

    /// Sends a `message` frame; `conversation` `None` starts a conversation.
    pub async fn send_message(
        &mut self,
        id: Uuid,
        conversation: Option<&str>,
        text: &str,
    ) -> Result<(), JourneyError> {
        let frame = json!({"type": "message", "id": id, "conversation_id": conversation,
            "text": text});
        self.ws.send(Message::text(frame.to_string())).await?;
        Ok(())
    }

    /// Sends a `resume` frame: every event of `conversation` after `last_seq`, then live ones.
    pub async fn resume(&mut self, conversation: &str, last_seq: u64) -> Result<(), JourneyError> {
        let frame = json!({"type": "resume", "conversation_id": conversation,
            "last_seq": last_seq});
        self.ws.send(Message::text(frame.to_string())).await?;
        Ok(())
    }

    /// The next event within `within`; the connection ending or silence is an error. The
    /// server's WebSocket pings (every 20 s) are not events and do not extend the bound.
    pub async fn event(&mut self, within: Duration) -> Result<Value, JourneyError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let next = tokio::time::timeout_at(deadline, self.ws.next()).await;
            let message = match next {
                Err(_) => {
                    return Err(JourneyError::Timeout {
                        what: "the next WebSocket event".to_owned(),
                        secs: within.as_secs(),
                    });
                }
                Ok(None) => return Err(closed("the connection ended")),
                Ok(Some(message)) => message?,
            };
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(&text).map_err(|e| JourneyError::Unexpected {
                        what: "a WebSocket event that is not JSON".to_owned(),
                        detail: format!("{e}: {text}"),
                    });
                }
                Message::Close(frame) => return Err(closed(&format!("closed: {frame:?}"))),
                _ => {}
            }
        }
    }

    /// Events up to and including `done` or an `error`, each within `within` of the last.
    pub async fn answer(&mut self, within: Duration) -> Result<Answer, JourneyError> {
        let mut answer = Answer::default();
        loop {
            let event = self.event(within).await?;
            let last = event["type"] == "done" || event["type"] == "error";
            answer.events.push(event);
            if last {
                return Ok(answer);
            }
        }
    }

    /// Events up to and including the first that `stop` accepts.
    pub async fn until(
        &mut self,
        within: Duration,
        stop: impl Fn(&Value) -> bool,
    ) -> Result<Answer, JourneyError> {
        let mut answer = Answer::default();
        loop {
            let event = self.event(within).await?;
            let last = stop(&event);
            answer.events.push(event);
            if last {
                return Ok(answer);
            }
        }
    }
}

fn closed(detail: &str) -> JourneyError {
    JourneyError::Unexpected {
        what: "the WebSocket".to_owned(),
        detail: detail.to_owned(),
    }
}
