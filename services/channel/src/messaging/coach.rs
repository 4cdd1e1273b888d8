//! `/coach` from a messaging chat (a Telegram command, or a signed webhook message whose whole
//! text is `/coach`): the chat's conversation gets the coach's attention
//! (`handoff_requested`, [`crate::handoff::flag`]) and the chat a reply through the outbox, in
//! the webhook's transaction. A chat that has no conversation yet creates nothing and is told
//! there is nothing to hand over. The model is not asked.

use coachai_common::AppError;
use coachai_common::tenancy::TenantTx;
use uuid::Uuid;

use super::{MessagingError, outbox};
use crate::handoff::{
    self, COACH_ALREADY_HERE, COACH_ASKED, HandoffError, NOTHING_TO_HAND_OVER, Requested,
};

/// True when a signed webhook message's `text` is the `/coach` command.
pub fn is_command(text: &str) -> bool {
    text.trim() == "/coach"
}

/// Asks for the coach in the conversation of `chat` on `integration` (of kind `kind`) and queues
/// the reply to the chat.
pub async fn request(
    tx: &mut TenantTx,
    integration: Uuid,
    kind: &str,
    chat: &str,
) -> Result<(), MessagingError> {
    let conversation: Option<Uuid> = sqlx::query_scalar(
        "SELECT conversation_id FROM channel_chats \
          WHERE creator_id = $1 AND integration_id = $2 AND external_chat = $3",
    )
    .bind(tx.creator().0)
    .bind(integration)
    .bind(chat)
    .fetch_optional(tx.conn())
    .await?;
    let reply = match conversation {
        None => NOTHING_TO_HAND_OVER,
        Some(id) => match handoff::flag(tx, id, None).await {
            Ok(Requested::New | Requested::Already) => COACH_ASKED,
            Ok(Requested::CoachHandles) => COACH_ALREADY_HERE,
            Err(HandoffError::NotFound) => NOTHING_TO_HAND_OVER,
            Err(e) => return Err(AppError::from(e).into()),
        },
    };
    outbox::enqueue(tx, integration, kind, chat, reply).await?;
    metrics::counter!("channel_inbound_total", "outcome" => "coach_requested").increment(1);
    Ok(())
}
