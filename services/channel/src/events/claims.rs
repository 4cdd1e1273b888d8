//! Idempotent sends across connections and replicas: a client message `id` is claimed in Redis
//! for a day before it is answered; a repeated `id` finds the claim and is acknowledged again
//! with the first copy's `ack` instead of being answered twice.

use std::sync::Arc;

use uuid::Uuid;

use super::log::{EventLog, LogError};
use super::wire::Published;

/// How long a message id is remembered.
const CLAIM_TTL_SECS: u64 = 24 * 3600;
const PENDING: &str = "pending";

/// What is known about a client message id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The id is new: this caller answers it.
    New,
    /// Another copy is being answered; its `ack` is not written yet.
    Pending,
    /// Another copy was acknowledged: this `ack` in this conversation.
    Acked {
        /// The conversation the first copy went to.
        conversation: Uuid,
        /// Its `ack` event.
        ack: Published,
    },
}

impl EventLog {
    /// Claims `user`'s message `id`, or tells what became of its first copy.
    pub async fn claim(&self, user: Uuid, id: Uuid) -> Result<Claim, LogError> {
        let mut conn = self.connection().await?;
        let (claimed, value): (bool, Option<String>) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(claim_key(user, id))
            .arg(PENDING)
            .arg("NX")
            .arg("EX")
            .arg(CLAIM_TTL_SECS)
            .cmd("GET")
            .arg(claim_key(user, id))
            .query_async::<(Option<String>, Option<String>)>(&mut *conn)
            .await
            .map(|(set, value)| (set.is_some(), value))?;
        if claimed {
            return Ok(Claim::New);
        }
        Ok(value.as_deref().map_or(Claim::Pending, |v| parse(user, v)))
    }

    /// Records that `user`'s message `id` was acknowledged with `ack` in `conversation`.
    pub async fn acked(
        &self,
        user: Uuid,
        id: Uuid,
        conversation: Uuid,
        ack: &Published,
    ) -> Result<(), LogError> {
        let mut conn = self.connection().await?;
        let value = format!("{conversation} {} {}", ack.seq, ack.frame);
        redis::cmd("SET")
            .arg(claim_key(user, id))
            .arg(value)
            .arg("EX")
            .arg(CLAIM_TTL_SECS)
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    /// Forgets the claim of a message that was not accepted, so sending it again works.
    pub async fn release(&self, user: Uuid, id: Uuid) -> Result<(), LogError> {
        let mut conn = self.connection().await?;
        redis::cmd("DEL")
            .arg(claim_key(user, id))
            .query_async::<()>(&mut *conn)
            .await?;
        Ok(())
    }

    /// The claim of `user`'s message `id` as it is now; `None` when there is none.
    pub async fn claim_of(&self, user: Uuid, id: Uuid) -> Result<Option<Claim>, LogError> {
        let mut conn = self.connection().await?;
        let value: Option<String> = redis::cmd("GET")
            .arg(claim_key(user, id))
            .query_async(&mut *conn)
            .await?;
        Ok(value.map(|v| parse(user, &v)))
    }
}

fn parse(user: Uuid, value: &str) -> Claim {
    let acked = value.split_once(' ').and_then(|(conversation, rest)| {
        let (seq, frame) = rest.split_once(' ')?;
        Some(Claim::Acked {
            conversation: Uuid::parse_str(conversation).ok()?,
            ack: Published {
                owner: user,
                seq: seq.parse().ok()?,
                frame: Arc::from(frame),
            },
        })
    });
    acked.unwrap_or(Claim::Pending)
}

fn claim_key(user: Uuid, id: Uuid) -> String {
    format!("chan:msg:{user}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_ack_reads_back() {
        let (user, conversation) = (Uuid::new_v4(), Uuid::new_v4());
        let value = format!(r#"{conversation} 3 {{"type":"ack"}}"#);
        let Claim::Acked {
            conversation: read,
            ack,
        } = parse(user, &value)
        else {
            panic!("not acked")
        };
        assert_eq!(read, conversation);
        assert_eq!(ack.seq, 3);
        assert_eq!(&*ack.frame, r#"{"type":"ack"}"#);
    }

    #[test]
    fn a_pending_claim_is_pending() {
        assert_eq!(parse(Uuid::new_v4(), PENDING), Claim::Pending);
    }
}
