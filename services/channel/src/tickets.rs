//! Single-use WebSocket tickets: a browser cannot set headers on a WebSocket, and a long-lived
//! credential must never sit in a URL, so `POST /ws-ticket` trades the caller's credential for
//! a random ticket that opens one connection within [`TICKET_TTL`].
//!
//! Only the ticket's SHA-256 is a Redis key; the credential it stands for stays in Redis until
//! the ticket is used (`GETDEL`, so a second use finds nothing) or expires. The connection
//! forwards that credential to the AI Engine like a header-authenticated one.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coachai_common::{redis_pool, secret};
use deadpool_redis::Pool;
use serde::{Deserialize, Serialize};

/// How long a ticket can be used.
pub const TICKET_TTL: Duration = Duration::from_secs(60);
/// Length of a ticket: 32 random bytes in unpadded base64url.
const TICKET_CHARS: usize = secret::OPAQUE_CHARS;

/// What a ticket stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The credential of the caller who asked for it.
    pub credential: String,
    /// The `Origin` of the page that asked for it, if it came from a browser.
    pub origin: Option<String>,
}

/// Redis failed; tickets cannot be issued or redeemed.
#[derive(Debug, thiserror::Error)]
#[error("tickets are unavailable (Redis): {0}")]
pub struct TicketError(String);

/// The ticket store; cheap to clone.
#[derive(Clone)]
pub struct Tickets {
    pool: Option<Pool>,
}

impl Tickets {
    /// Tickets kept in the Redis at `redis_url`.
    pub fn new(redis_url: &str) -> Self {
        Self {
            pool: redis_pool::bounded(redis_url, 8, Duration::from_secs(1), "WebSocket tickets"),
        }
    }

    async fn connection(&self) -> Result<deadpool_redis::Connection, TicketError> {
        let pool = self
            .pool
            .as_ref()
            .ok_or_else(|| TicketError("no Redis URL".into()))?;
        pool.get().await.map_err(|e| TicketError(e.to_string()))
    }

    /// A new ticket for `ticket`'s credential and origin.
    pub async fn issue(&self, ticket: &Ticket) -> Result<String, TicketError> {
        let text = secret::opaque();
        let value = serde_json::to_string(ticket).map_err(|e| TicketError(e.to_string()))?;
        let mut conn = self.connection().await?;
        redis::cmd("SET")
            .arg(key(&text))
            .arg(value)
            .arg("EX")
            .arg(TICKET_TTL.as_secs())
            .query_async::<()>(&mut *conn)
            .await
            .map_err(|e| TicketError(e.to_string()))?;
        Ok(text)
    }

    /// What `text` stands for, once: `None` for an unknown, used or expired ticket.
    pub async fn redeem(&self, text: &str) -> Result<Option<Ticket>, TicketError> {
        if text.len() != TICKET_CHARS || URL_SAFE_NO_PAD.decode(text).is_err() {
            return Ok(None);
        }
        let mut conn = self.connection().await?;
        let value: Option<String> = redis::cmd("GETDEL")
            .arg(key(text))
            .query_async(&mut *conn)
            .await
            .map_err(|e| TicketError(e.to_string()))?;
        Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
    }
}

fn key(ticket: &str) -> String {
    format!("chan:ticket:{}", secret::hash_hex(ticket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_the_ticket() {
        let key = key("abc");
        assert!(key.starts_with("chan:ticket:"));
        assert!(!key.contains("abc"));
        assert_eq!(key.len(), "chan:ticket:".len() + 64);
    }

    #[tokio::test]
    async fn malformed_tickets_are_unknown_without_asking_redis() {
        let tickets = Tickets::new("redis://127.0.0.1:1");
        assert_eq!(tickets.redeem("short").await.unwrap(), None);
        assert_eq!(
            tickets.redeem(&"!".repeat(TICKET_CHARS)).await.unwrap(),
            None
        );
    }
}
