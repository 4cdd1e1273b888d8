//! `request_coach`: the client asks for the human coach in one of its conversations. Another
//! client's or another creator's conversation gets the same `not_found` error as `resume`; a
//! new request is acknowledged by the conversation's `coach_requested` event (the connection
//! follows the conversation, so it arrives here in `seq` order); asking again sends nothing.

use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

use super::Channel;
use super::connection::{Connection, Step};
use crate::handoff::{HandoffError, request_coach};
use crate::protocol::ErrorCode;

impl Connection {
    pub(super) async fn request_coach(&mut self, conversation: Uuid) -> Step {
        if let Err(refused) =
            super::handshake::verify(&self.channel.core, &self.session.credential).await
        {
            return self.credential_refused(&refused.to_string()).await;
        }
        let (channel, session) = (self.channel.clone(), &self.session);
        let (creator, user) = (session.creator, session.user);
        let published = match flag_for_coach(&channel, creator, user, conversation).await {
            Ok(Some(published)) => published,
            Ok(None) => {
                let detail = format!("conversation {conversation} is not one of yours");
                return self.send_error(ErrorCode::NotFound, detail).await;
            }
            Err(detail) => return self.unavailable(&detail).await,
        };
        match published {
            // Not followed yet: follow it from the acknowledgement on. Followed: the event comes
            // live (or by catching up) like any other.
            Some(seq) if !self.followed.contains_key(&conversation) => {
                self.follow(conversation, seq.saturating_sub(1)).await
            }
            _ => Step::Continue,
        }
    }
}

/// Flags `conversation` in `creator` for its owner `user`, committing on success: the `seq` of
/// the acknowledgement when it was published now, `None` when it is not the caller's.
async fn flag_for_coach(
    channel: &Channel,
    creator: CreatorId,
    user: Uuid,
    conversation: Uuid,
) -> Result<Option<Option<u64>>, String> {
    let mut tx = channel
        .core
        .db
        .begin_for(creator)
        .await
        .map_err(|e| e.to_string())?;
    match request_coach(&mut tx, &channel.log, conversation, user).await {
        Ok((_, seq)) => {
            tx.commit().await.map_err(|e| e.to_string())?;
            Ok(Some(seq))
        }
        Err(HandoffError::NotFound) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}
