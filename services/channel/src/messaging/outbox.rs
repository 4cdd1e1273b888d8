//! The transactional outbox: a reply is rows of `channel_deliveries` written in the caller's
//! transaction, and the commit wakes the delivery workers of every replica (`NOTIFY`, which
//! PostgreSQL sends only at commit). The workers' side (claimed rows, outcomes) is here too.

use std::time::Duration;

use coachai_common::TenantTx;
use uuid::Uuid;

use super::MessagingError;
use super::split::{TELEGRAM_LIMIT, split};

/// The `NOTIFY` channel that wakes delivery workers.
pub const DELIVERY_WAKE: &str = "channel_deliveries";

/// Inserts the delivery rows of `text` for `external_chat` of `integration` (one per Telegram
/// message when the text is long; one for a webhook); the number of rows.
pub async fn enqueue(
    tx: &mut TenantTx,
    integration: Uuid,
    kind: &str,
    external_chat: &str,
    text: &str,
) -> Result<usize, MessagingError> {
    let parts = if kind == "telegram" {
        split(text, TELEGRAM_LIMIT)
    } else {
        Some(text.trim().to_owned())
            .filter(|t| !t.is_empty())
            .into_iter()
            .collect()
    };
    let (creator, batch) = (tx.creator().0, Uuid::new_v4());
    for (part, body) in parts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO channel_deliveries (creator_id, integration_id, external_chat, batch, part, body)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(creator)
        .bind(integration)
        .bind(external_chat)
        .bind(batch)
        .bind(i32::try_from(part).unwrap_or(i32::MAX))
        .bind(body)
        .execute(tx.conn())
        .await?;
    }
    wake(tx, DELIVERY_WAKE).await?;
    Ok(parts.len())
}

/// Sends `text` to the external chat bound to `conversation_id` once `tx` commits; `false`
/// (nothing written) when the conversation did not come from a messaging channel.
pub async fn enqueue_for_conversation(
    tx: &mut TenantTx,
    conversation_id: Uuid,
    text: &str,
) -> Result<bool, MessagingError> {
    let bound: Option<(Uuid, String, String)> = sqlx::query_as(
        "SELECT c.integration_id, i.kind, c.external_chat
           FROM channel_chats c JOIN channel_integrations i
             ON i.creator_id = c.creator_id AND i.id = c.integration_id
          WHERE c.conversation_id = $1",
    )
    .bind(conversation_id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((integration, kind, chat)) = bound else {
        return Ok(false);
    };
    enqueue(tx, integration, &kind, &chat, text).await?;
    Ok(true)
}

/// Asks PostgreSQL to wake the listeners of `channel` when `tx` commits.
pub async fn wake(tx: &mut TenantTx, channel: &str) -> Result<(), MessagingError> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(channel)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A claimed delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    /// The row, also the `Idempotency-Key` of a webhook delivery.
    pub id: Uuid,
    /// Where it goes.
    pub integration_id: Uuid,
    /// The external chat.
    pub external_chat: String,
    /// The text.
    pub body: String,
    /// Failed attempts so far.
    pub attempts: i32,
}

/// Delivery `id` if it is still pending under `lease`.
pub async fn load(
    tx: &mut TenantTx,
    id: Uuid,
    lease: Uuid,
) -> Result<Option<Claimed>, MessagingError> {
    Ok(sqlx::query_as(
        "SELECT id, integration_id, external_chat, body, attempts FROM channel_deliveries
          WHERE id = $1 AND lease_token = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(lease)
    .fetch_optional(tx.conn())
    .await?)
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The destination acknowledged it.
    Delivered,
    /// It failed; try again after the delay, or never (`None`: dead).
    Failed {
        /// Why, for the API.
        error: String,
        /// When to try again.
        retry_in: Option<Duration>,
    },
    /// Not attempted (the destination's breaker is open); try after the delay.
    Deferred(Duration),
}

/// Records `outcome` of delivery `id` if `lease` still holds it.
pub async fn settle(
    tx: &mut TenantTx,
    id: Uuid,
    lease: Uuid,
    outcome: &Outcome,
) -> Result<(), MessagingError> {
    let (state, failed, error, delay) = match outcome {
        Outcome::Delivered => ("delivered", 0, None, Duration::ZERO),
        Outcome::Failed { error, retry_in } => match retry_in {
            Some(delay) => ("pending", 1, Some(error.as_str()), *delay),
            None => ("dead", 1, Some(error.as_str()), Duration::ZERO),
        },
        Outcome::Deferred(delay) => ("pending", 0, None, *delay),
    };
    sqlx::query(
        "UPDATE channel_deliveries
            SET state = $3, attempts = attempts + $4, last_error = COALESCE($5, last_error),
                next_run_at = now() + $6 * interval '1 millisecond', lease_token = NULL,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END, updated_at = now()
          WHERE id = $1 AND lease_token = $2",
    )
    .bind(id)
    .bind(lease)
    .bind(state)
    .bind(failed)
    .bind(error)
    .bind(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
    .execute(tx.conn())
    .await?;
    Ok(())
}
