//! Who answers a conversation and whether it needs the coach's attention (columns
//! `handled_by` and `attention` of `conversations`; the Channel's handoff routes write them too):
//! the chat path reads the first before answering and sets the second when it escalates.

use coachai_common::tenancy::TenantTx;

use super::ConversationError;
use super::store::ConversationId;

/// Whether the coach has taken `conversation` over (the AI answers nothing in it).
pub async fn handled_by_coach(
    tx: &mut TenantTx,
    conversation: ConversationId,
) -> Result<bool, ConversationError> {
    let handled_by: Option<String> =
        sqlx::query_scalar("SELECT handled_by FROM conversations WHERE id = $1")
            .bind(conversation.uuid())
            .fetch_optional(tx.conn())
            .await?;
    Ok(handled_by.as_deref() == Some("coach"))
}

/// Flags `conversation` for the coach: a message escalated (attention `escalation`, now).
pub async fn flag_escalation(
    tx: &mut TenantTx,
    conversation: ConversationId,
) -> Result<(), ConversationError> {
    sqlx::query(
        "UPDATE conversations SET attention = 'escalation', attention_at = clock_timestamp() \
         WHERE id = $1",
    )
    .bind(conversation.uuid())
    .execute(tx.conn())
    .await?;
    Ok(())
}
