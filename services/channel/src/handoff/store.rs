//! SQL of the handoff routes, in the staff member's tenant transaction (RLS scopes every query
//! to their creator, so another creator's conversation is simply not found).

use chrono::{DateTime, Utc};
use coachai_common::cursor::Cursor;
use coachai_common::tenancy::TenantTx;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::HandoffError;
use super::models::{CoachConversation, ListQuery};
use crate::protocol::HandoffState;

const COLUMNS: &str = "id, user_id, channel, title, handled_by, handled_by_user, attention, \
    attention_at, created_at, updated_at, coalesce(attention_at, updated_at) AS sort_at";

/// One page of the creator's conversations matching `query` after `after`, newest attention
/// (or activity) first; and the cursor of the next page, if more follow.
pub async fn page(
    tx: &mut TenantTx,
    query: &ListQuery,
    after: Option<Cursor>,
    limit: u32,
) -> Result<(Vec<CoachConversation>, Option<Cursor>), HandoffError> {
    let (at, id) = after.map_or((None, None), |c| (Some(c.created_at), Some(c.id)));
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM conversations \
         WHERE creator_id = $1 \
           AND ($2::boolean IS NULL OR (attention IS NOT NULL) = $2) \
           AND ($3::text IS NULL OR handled_by = $3) \
           AND ($4::timestamptz IS NULL OR (coalesce(attention_at, updated_at), id) < ($4, $5)) \
         ORDER BY coalesce(attention_at, updated_at) DESC, id DESC LIMIT $6"
    ))
    .bind(tx.creator().0)
    .bind(query.attention)
    .bind(query.state.map(state_name))
    .bind(at)
    .bind(id)
    .bind(i64::from(limit) + 1)
    .fetch_all(tx.conn())
    .await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next = match rows.last() {
        Some(last) if more => Some(Cursor {
            created_at: last.try_get("sort_at")?,
            id: last.try_get("id")?,
        }),
        _ => None,
    };
    let items = rows.iter().map(conversation).collect::<Result<_, _>>()?;
    Ok((items, next))
}

/// Conversation `id`, locked for the rest of the transaction.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> Result<CoachConversation, HandoffError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM conversations WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(HandoffError::NotFound)?;
    conversation(&row)
}

/// Makes `state` handle conversation `id`: the coach `by` takes it over, or the AI gets it back
/// (which clears who took it and the attention flag). Returns the conversation as it is now.
pub async fn hand(
    tx: &mut TenantTx,
    id: Uuid,
    state: HandoffState,
    by: Uuid,
) -> Result<CoachConversation, HandoffError> {
    let sql = match state {
        HandoffState::Coach => {
            "UPDATE conversations SET handled_by = 'coach', handled_by_user = $2 WHERE id = $1"
        }
        HandoffState::Ai => {
            "UPDATE conversations SET handled_by = 'ai', handled_by_user = NULL, \
                 attention = NULL, attention_at = NULL WHERE id = $1"
        }
    };
    sqlx::query(sql)
        .bind(id)
        .bind(by)
        .execute(tx.conn())
        .await?;
    lock(tx, id).await
}

/// Stores the coach's reply in conversation `id` (role `coach`) and clears its attention flag.
pub async fn add_reply(
    tx: &mut TenantTx,
    id: Uuid,
    text: &str,
) -> Result<(Uuid, DateTime<Utc>), HandoffError> {
    let row = sqlx::query(
        "INSERT INTO messages (creator_id, conversation_id, role, body, created_at) \
         VALUES ($1, $2, 'coach', $3, clock_timestamp()) RETURNING id, created_at",
    )
    .bind(tx.creator().0)
    .bind(id)
    .bind(text)
    .fetch_one(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE conversations SET updated_at = clock_timestamp(), attention = NULL, \
             attention_at = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok((row.try_get("id")?, row.try_get("created_at")?))
}

/// The state as stored in `conversations.handled_by`.
fn state_name(state: HandoffState) -> &'static str {
    match state {
        HandoffState::Coach => "coach",
        HandoffState::Ai => "ai",
    }
}

fn conversation(row: &PgRow) -> Result<CoachConversation, HandoffError> {
    let handled_by: String = row.try_get("handled_by")?;
    Ok(CoachConversation {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        channel: row.try_get("channel")?,
        title: row.try_get("title")?,
        handled_by: if handled_by == "coach" {
            HandoffState::Coach
        } else {
            HandoffState::Ai
        },
        handled_by_user: row.try_get("handled_by_user")?,
        attention: row.try_get("attention")?,
        attention_at: row.try_get("attention_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}
