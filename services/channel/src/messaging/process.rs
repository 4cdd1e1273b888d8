//! Answering one claimed inbound message: ask the AI Engine with the integration's API key in
//! the chat's conversation (a new one the first time, then bound to the chat), and put the
//! answer in the outbox. A refusal or an unreachable AI Engine leaves the message pending,
//! retried with backoff, until `CHANNEL_INBOUND_MAX_ATTEMPTS` attempts make it `dead` and the
//! chat is told once (through the outbox); a stream that ends without an answer (held for a
//! human) sends nothing.

use coachai_common::tenancy::CreatorId;
use futures::StreamExt;
use uuid::Uuid;

use super::store::{self, Opened};
use super::{Messaging, MessagingError, outbox};
use crate::answer::{AnswerEvent, Refusal};
use crate::protocol::EventKind;

type InboundRow = (Uuid, String, String, i32, Option<Uuid>);

/// What the AI Engine made of a question.
#[derive(Debug, Default)]
struct Answered {
    conversation: Option<Uuid>,
    text: String,
    done: bool,
}

/// A claimed inbound message with what answering it needs.
struct Pending {
    integration: Uuid,
    chat: String,
    body: String,
    attempts: i32,
    conversation: Option<Uuid>,
    opened: Opened,
}

/// Answers inbound message `id` of `creator` if `lease` still holds it.
pub async fn answer(
    messaging: &Messaging,
    creator: CreatorId,
    id: Uuid,
    lease: Uuid,
) -> Result<(), MessagingError> {
    let Some(pending) = load(messaging, creator, id, lease).await? else {
        return Ok(());
    };
    let asked = ask(
        messaging,
        &pending.opened,
        id,
        &pending.body,
        pending.conversation,
    )
    .await;
    let mut tx = messaging.core.db.begin_for(creator).await?;
    match asked {
        Ok(answered) => {
            // The lease first: a worker that outlived its lease keeps nothing (the transaction
            // rolls back), so the replica that took the message over answers it alone.
            if !finish(&mut tx, id, lease).await? {
                return Ok(());
            }
            let (kind, chat) = (&pending.opened.kind, &pending.chat);
            keep(&mut tx, pending.integration, kind, chat, &answered).await?;
            let outcome = if answered.done { "answered" } else { "held" };
            metrics::counter!("channel_inbound_total", "outcome" => outcome).increment(1);
        }
        Err(refusal) => postpone(messaging, &mut tx, &pending, id, lease, &refusal).await?,
    }
    tx.commit().await?;
    Ok(())
}

/// What the chat of a dead message is told, once.
pub const APOLOGY: &str =
    "Sorry, I couldn't answer that message. Please send it again in a moment.";

/// Leaves the message pending until the next attempt of the backoff schedule, or, when the
/// schedule is exhausted, makes it dead and apologises in its chat.
async fn postpone(
    messaging: &Messaging,
    tx: &mut coachai_common::TenantTx,
    pending: &Pending,
    id: Uuid,
    lease: Uuid,
    refusal: &Refusal,
) -> Result<(), MessagingError> {
    let attempt = u32::try_from(pending.attempts)
        .unwrap_or(0)
        .saturating_add(1);
    let backoff = messaging.inbound_backoff();
    if backoff.exhausted(attempt) {
        return give_up(tx, pending, id, lease, refusal).await;
    }
    metrics::counter!("channel_inbound_total", "outcome" => "retry").increment(1);
    tracing::warn!(inbound = %id, detail = %refusal.detail, "an inbound message waits for the AI Engine");
    retry(tx, id, lease, &refusal.detail, backoff.next(attempt)).await
}

/// Makes the message dead and, in the same transaction, queues the apology in its chat.
async fn give_up(
    tx: &mut coachai_common::TenantTx,
    pending: &Pending,
    id: Uuid,
    lease: Uuid,
    refusal: &Refusal,
) -> Result<(), MessagingError> {
    if !bury(tx, id, lease, &refusal.detail).await? {
        return Ok(());
    }
    metrics::counter!("channel_inbound_total", "outcome" => "dead").increment(1);
    tracing::error!(inbound = %id, detail = %refusal.detail, "an inbound message is dead");
    let (kind, chat) = (&pending.opened.kind, &pending.chat);
    outbox::enqueue(tx, pending.integration, kind, chat, APOLOGY).await?;
    Ok(())
}

/// Marks the message dead with `error`; `false` when `lease` no longer holds it.
async fn bury(
    tx: &mut coachai_common::TenantTx,
    id: Uuid,
    lease: Uuid,
    error: &str,
) -> Result<bool, MessagingError> {
    let dead = sqlx::query(
        "UPDATE channel_inbound
            SET status = 'dead', attempts = attempts + 1, last_error = left($3, 500),
                lease_token = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND status = 'pending'",
    )
    .bind(id)
    .bind(lease)
    .bind(error)
    .execute(tx.conn())
    .await?;
    Ok(dead.rows_affected() == 1)
}

async fn load(
    messaging: &Messaging,
    creator: CreatorId,
    id: Uuid,
    lease: Uuid,
) -> Result<Option<Pending>, MessagingError> {
    let mut tx = messaging.core.db.begin_for(creator).await?;
    let row: Option<InboundRow> = sqlx::query_as(
        "SELECT i.integration_id, i.external_chat, i.body, i.attempts, c.conversation_id
           FROM channel_inbound i
           LEFT JOIN channel_chats c ON c.creator_id = i.creator_id
                AND c.integration_id = i.integration_id AND c.external_chat = i.external_chat
          WHERE i.id = $1 AND i.lease_token = $2 AND i.status = 'pending'",
    )
    .bind(id)
    .bind(lease)
    .fetch_optional(tx.conn())
    .await?;
    let Some((integration, chat, body, attempts, conversation)) = row else {
        return Ok(None);
    };
    let opened = store::open(&mut tx, messaging.secrets()?, integration).await?;
    tx.commit().await?;
    Ok(opened.map(|opened| Pending {
        integration,
        chat,
        body,
        attempts,
        conversation,
        opened,
    }))
}

async fn ask(
    messaging: &Messaging,
    opened: &Opened,
    id: Uuid,
    text: &str,
    conversation: Option<Uuid>,
) -> Result<Answered, Refusal> {
    let request_id = format!("channel-inbound-{id}");
    let events = messaging
        .engine
        .ask(&opened.api_key, &request_id, text, conversation)
        .await?;
    let mut events = std::pin::pin!(events);
    let mut answered = Answered {
        conversation,
        ..Answered::default()
    };
    while let Some(event) = events.next().await {
        match event? {
            AnswerEvent::Start(id) => answered.conversation = Some(id),
            AnswerEvent::Event(EventKind::Token { text }) => answered.text.push_str(&text),
            AnswerEvent::Event(EventKind::Done { .. }) => answered.done = true,
            AnswerEvent::Event(_) => {}
        }
    }
    Ok(answered)
}

/// Binds the chat to its conversation and puts a finished answer in the outbox.
async fn keep(
    tx: &mut coachai_common::TenantTx,
    integration: Uuid,
    kind: &str,
    chat: &str,
    answered: &Answered,
) -> Result<(), MessagingError> {
    if let Some(conversation) = answered.conversation {
        sqlx::query(
            "INSERT INTO channel_chats (creator_id, integration_id, external_chat, conversation_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(tx.creator().0)
        .bind(integration)
        .bind(chat)
        .bind(conversation)
        .execute(tx.conn())
        .await?;
    }
    if answered.done {
        outbox::enqueue(tx, integration, kind, chat, &answered.text).await?;
    }
    Ok(())
}

/// Marks the message answered; `false` when `lease` no longer holds it.
async fn finish(
    tx: &mut coachai_common::TenantTx,
    id: Uuid,
    lease: Uuid,
) -> Result<bool, MessagingError> {
    let done = sqlx::query(
        "UPDATE channel_inbound SET status = 'done', lease_token = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2",
    )
    .bind(id)
    .bind(lease)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn retry(
    tx: &mut coachai_common::TenantTx,
    id: Uuid,
    lease: Uuid,
    error: &str,
    delay: std::time::Duration,
) -> Result<(), MessagingError> {
    sqlx::query(
        "UPDATE channel_inbound
            SET attempts = attempts + 1, last_error = left($3, 500), lease_token = NULL,
                next_run_at = now() + $4 * interval '1 millisecond', updated_at = now()
          WHERE id = $1 AND lease_token = $2",
    )
    .bind(id)
    .bind(lease)
    .bind(error)
    .bind(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
    .execute(tx.conn())
    .await?;
    Ok(())
}
