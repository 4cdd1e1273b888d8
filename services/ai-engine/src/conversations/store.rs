//! SQL of conversations and messages, in the caller's tenant transaction and for one user.

use chrono::{DateTime, Utc};
use coachai_common::auth::Principal;
use coachai_common::tenancy::TenantTx;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::ConversationError;
use super::cursor::Cursor;
use super::model::{
    ConversationDetail, ConversationSummary, Message, MessageMeta, MessageRole, Turn,
};

/// Characters of the first user message kept as a conversation's title.
const TITLE_CHARS: i32 = 80;

/// A conversation the caller owns; only [`start_or_continue`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversationId(Uuid);

impl ConversationId {
    /// The conversation's id, to give back to the client.
    pub fn uuid(self) -> Uuid {
        self.0
    }
}

/// Continues the caller's conversation `conversation`, or starts a new one on the `web`
/// channel when it is `None`. Another user's conversation, of this creator or another, is
/// [`ConversationError::NotFound`].
pub async fn start_or_continue(
    tx: &mut TenantTx,
    principal: &Principal,
    conversation: Option<Uuid>,
) -> Result<ConversationId, ConversationError> {
    let id: Option<Uuid> = match conversation {
        Some(id) => {
            sqlx::query_scalar("SELECT id FROM conversations WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(principal.user_id)
                .fetch_optional(tx.conn())
                .await?
        }
        None => {
            let creator = tx.creator().0;
            sqlx::query_scalar(
                "INSERT INTO conversations (creator_id, user_id, channel, created_at, updated_at) \
                 VALUES ($1, $2, 'web', clock_timestamp(), clock_timestamp()) RETURNING id",
            )
            .bind(creator)
            .bind(principal.user_id)
            .fetch_optional(tx.conn())
            .await?
        }
    };
    id.map(ConversationId).ok_or(ConversationError::NotFound)
}

/// Appends a message and marks the conversation active; the first user message also titles it.
/// Returns the message's id.
pub async fn append_message(
    tx: &mut TenantTx,
    conversation: ConversationId,
    role: MessageRole,
    body: &str,
    meta: &MessageMeta,
) -> Result<Uuid, ConversationError> {
    let creator = tx.creator().0;
    // clock_timestamp(), not now(): messages written in one transaction keep their order.
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO messages (creator_id, conversation_id, role, body, model, template_id, \
             template_version, degraded, sources, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp()) RETURNING id",
    )
    .bind(creator)
    .bind(conversation.0)
    .bind(role.as_str())
    .bind(body)
    .bind(&meta.model)
    .bind(meta.template_id)
    .bind(meta.template_version)
    .bind(meta.degraded)
    .bind(&meta.sources)
    .fetch_one(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE conversations SET updated_at = clock_timestamp(), \
             title = CASE WHEN title IS NULL AND $2 THEN left($3, $4) ELSE title END \
         WHERE id = $1",
    )
    .bind(conversation.0)
    .bind(role == MessageRole::User)
    .bind(body.trim())
    .bind(TITLE_CHARS)
    .execute(tx.conn())
    .await?;
    Ok(id)
}

/// The last `limit` messages of the conversation, oldest first.
pub async fn recent_turns(
    tx: &mut TenantTx,
    conversation: ConversationId,
    limit: u32,
) -> Result<Vec<Turn>, ConversationError> {
    let rows = sqlx::query(
        "SELECT role, body FROM (SELECT role, body, created_at, id FROM messages \
             WHERE conversation_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) recent \
         ORDER BY created_at, id",
    )
    .bind(conversation.0)
    .bind(i64::from(limit))
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Turn {
                role: role(row)?,
                body: row.try_get("body")?,
            })
        })
        .collect()
}

const SUMMARY: &str = "SELECT c.id, c.channel, c.title, c.created_at, c.updated_at, \
    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count \
    FROM conversations c";

/// One page of `user`'s conversations, newest first, after `after`; and whether more follow.
pub async fn page(
    tx: &mut TenantTx,
    user: Uuid,
    after: Option<Cursor>,
    limit: u32,
) -> Result<(Vec<ConversationSummary>, bool), ConversationError> {
    let (at, id): (Option<DateTime<Utc>>, Option<Uuid>) = match after {
        Some(c) => (Some(c.created_at), Some(c.id)),
        None => (None, None),
    };
    let rows = sqlx::query(&format!(
        "{SUMMARY} WHERE c.user_id = $1 AND ($2::timestamptz IS NULL OR (c.created_at, c.id) < ($2, $3)) \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $4"
    ))
    .bind(user)
    .bind(at)
    .bind(id)
    .bind(i64::from(limit) + 1)
    .fetch_all(tx.conn())
    .await?;
    let mut items = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    Ok((items, more))
}

/// `user`'s conversation `id` with its messages, oldest first.
pub async fn get(
    tx: &mut TenantTx,
    user: Uuid,
    id: Uuid,
) -> Result<ConversationDetail, ConversationError> {
    let row = sqlx::query(&format!("{SUMMARY} WHERE c.id = $1 AND c.user_id = $2"))
        .bind(id)
        .bind(user)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(ConversationError::NotFound)?;
    let rows = sqlx::query(
        "SELECT id, role, body, model, template_id, template_version, degraded, sources, \
             created_at FROM messages WHERE conversation_id = $1 ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    Ok(ConversationDetail {
        summary: summary(&row)?,
        messages: rows.iter().map(message).collect::<Result<_, _>>()?,
    })
}

/// Erases `user`'s conversation `id` and its messages.
pub async fn delete(tx: &mut TenantTx, user: Uuid, id: Uuid) -> Result<(), ConversationError> {
    let deleted = sqlx::query("DELETE FROM conversations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(ConversationError::NotFound);
    }
    Ok(())
}

fn role(row: &PgRow) -> Result<MessageRole, ConversationError> {
    let name: String = row.try_get("role")?;
    MessageRole::from_name(&name).ok_or(ConversationError::Corrupt(name))
}

fn summary(row: &PgRow) -> Result<ConversationSummary, ConversationError> {
    Ok(ConversationSummary {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        title: row.try_get("title")?,
        message_count: row.try_get("message_count")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn message(row: &PgRow) -> Result<Message, ConversationError> {
    Ok(Message {
        id: row.try_get("id")?,
        role: role(row)?,
        body: row.try_get("body")?,
        model: row.try_get("model")?,
        template_id: row.try_get("template_id")?,
        template_version: row.try_get("template_version")?,
        degraded: row.try_get("degraded")?,
        sources: row.try_get("sources")?,
        created_at: row.try_get("created_at")?,
    })
}
