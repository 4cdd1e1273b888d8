//! Whether a conversation is the caller's: asked of PostgreSQL in the caller's tenant, so
//! another creator's conversation is invisible (RLS) and another client's is refused.

use coachai_common::AppError;
use uuid::Uuid;

use super::Channel;
use super::session::Session;

/// True when `conversation` exists in the session's creator and belongs to its user.
pub async fn owns(
    channel: &Channel,
    session: &Session,
    conversation: Uuid,
) -> Result<bool, AppError> {
    let mut tx = channel.core.db.begin_for(session.creator).await?;
    let owned: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2")
            .bind(conversation)
            .bind(session.user)
            .fetch_optional(tx.conn())
            .await?;
    tx.commit().await?;
    Ok(owned.is_some())
}
