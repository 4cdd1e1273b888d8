//! The inbound routes: `POST /telegram/{integration_id}/webhook` (Telegram's secret token) and
//! `POST /webhook/{integration_id}` (signed, Stripe-style). Each message is stored under its
//! dedupe key before the 200, so a retry of the sender is answered once and a crash loses
//! nothing; the workers answer it.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::HeaderMap;
use coachai_common::tenancy::{CreatorId, TenantTx};
use coachai_common::{AppError, json::ApiJson};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use uuid::Uuid;

use super::signing::{SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECS, verify};
use super::store::{self, Opened};
use super::telegram::{self, GREETING, Update};
use super::{Messaging, MessagingError, outbox};

/// The header Telegram sends the `secret_token` of `setWebhook` in.
pub const TELEGRAM_SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";
/// The `NOTIFY` channel that wakes inbound workers.
pub const INBOUND_WAKE: &str = "channel_inbound";
/// Longest inbound text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// A message from a webhook sender.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"conversation": "user-8841", "text": "How do I start running?", "id": "msg-0001"}))]
pub struct WebhookMessage {
    /// The sender's id of the conversation (1–200 characters); replies carry it back.
    pub conversation: String,
    /// The question (1–4000 characters).
    pub text: String,
    /// The sender's id of this message (1–200 characters): a repeated id is answered once.
    pub id: String,
}

/// The acknowledgement of an inbound message.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`: the message is stored and will be answered.
    pub status: &'static str,
}

/// The integration `raw` names, its tenant transaction, and its opened secrets.
async fn integration(
    messaging: &Messaging,
    raw: &str,
    kind: &str,
) -> Result<(Uuid, TenantTx, Opened), AppError> {
    let missing = || AppError::NotFound(format!("no {kind} integration `{raw}`"));
    let id: Uuid = raw.parse().map_err(|_| missing())?;
    let secrets = messaging.secrets()?;
    let creator: Option<Uuid> = sqlx::query_scalar("SELECT app_channel_integration_creator($1)")
        .bind(id)
        .fetch_one(messaging.core.db.preauth())
        .await?;
    let creator = creator.ok_or_else(missing)?;
    let mut tx = messaging.core.db.begin_for(CreatorId(creator)).await?;
    let opened = store::open(&mut tx, secrets, id).await?;
    let opened = opened.filter(|o| o.kind == kind).ok_or_else(missing)?;
    Ok((id, tx, opened))
}

/// Stores a question; `false` when its dedupe key was seen before.
async fn store_question(
    tx: &mut TenantTx,
    integration: Uuid,
    key: &str,
    chat: &str,
    text: &str,
    status: &str,
) -> Result<bool, MessagingError> {
    let stored = sqlx::query(
        "INSERT INTO channel_inbound (creator_id, integration_id, dedupe_key, external_chat, body, status)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(tx.creator().0)
    .bind(integration)
    .bind(key)
    .bind(chat)
    .bind(text)
    .bind(status)
    .execute(tx.conn())
    .await?;
    if status == "pending" {
        outbox::wake(tx, INBOUND_WAKE).await?;
    }
    Ok(stored.rows_affected() == 1)
}

/// Receives a Telegram update (set with `setWebhook` and the integration's `secret_token`).
#[utoipa::path(
    post, path = "/telegram/{integration_id}/webhook", tag = "messaging",
    params(("integration_id" = Uuid, Path, description = "the Telegram integration")),
    request_body(content = serde_json::Value, description = "a Telegram `Update`"),
    responses(
        (status = 200, description = "stored (or a duplicate, or ignored)", body = Accepted),
        (status = 400, description = "not a Telegram update", body = coachai_common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "wrong X-Telegram-Bot-Api-Secret-Token", body = coachai_common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such Telegram integration", body = coachai_common::error::Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn telegram_webhook(
    Extension(messaging): Extension<Arc<Messaging>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiJson<Accepted>, AppError> {
    let (id, mut tx, opened) = integration(&messaging, &raw, "telegram").await?;
    let given = headers
        .get(TELEGRAM_SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(opened.inbound_secret.as_bytes())) {
        return Err(AppError::Unauthorized(
            "wrong X-Telegram-Bot-Api-Secret-Token".into(),
        ));
    }
    let update = telegram::parse(&body)
        .ok_or_else(|| AppError::BadRequest("the body is not a Telegram update".into()))?;
    match update {
        Update::Text {
            update_id,
            chat,
            text,
        } => {
            let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
            store_question(&mut tx, id, &update_id.to_string(), &chat, &text, "pending").await?;
        }
        Update::Start { update_id, chat } => {
            let key = update_id.to_string();
            if store_question(&mut tx, id, &key, &chat, "/start", "done").await? {
                outbox::enqueue(&mut tx, id, "telegram", &chat, GREETING).await?;
            }
        }
        Update::Coach { update_id, chat } => telegram_coach(&mut tx, id, update_id, &chat).await?,
        Update::Ignored => {}
    }
    tx.commit().await?;
    Ok(ApiJson(Accepted { status: "accepted" }))
}

/// `/coach` from Telegram: stored (deduplicated by `update_id`) and, the first time, handled.
async fn telegram_coach(
    tx: &mut TenantTx,
    integration: Uuid,
    update_id: i64,
    chat: &str,
) -> Result<(), MessagingError> {
    let key = update_id.to_string();
    if store_question(tx, integration, &key, chat, "/coach", "done").await? {
        super::coach::request(tx, integration, "telegram", chat).await?;
    }
    Ok(())
}

/// Receives a signed message: `X-CoachAI-Timestamp` and `X-CoachAI-Signature` (see the
/// messaging contract); the answer is POSTed to the integration's URL, signed the same way.
#[utoipa::path(
    post, path = "/webhook/{integration_id}", tag = "messaging",
    params(("integration_id" = Uuid, Path, description = "the webhook integration")),
    request_body = WebhookMessage,
    responses(
        (status = 200, description = "stored (or a duplicate id)", body = Accepted),
        (status = 400, description = "an unusable body", body = coachai_common::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "bad or stale signature, or a replayed request", body = coachai_common::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such webhook integration", body = coachai_common::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "replay protection (Redis) is unavailable", body = coachai_common::error::Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn signed_webhook(
    Extension(messaging): Extension<Arc<Messaging>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<ApiJson<Accepted>, AppError> {
    let (id, mut tx, opened) = integration(&messaging, &raw, "webhook").await?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    let signature = verify(
        &opened.inbound_secret,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        &body,
        now,
    )
    .map_err(MessagingError::from)?;
    let message: WebhookMessage = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the body is not a webhook message: {e}")))?;
    check(&message)?;
    first_use(&messaging, id, &signature).await?;
    let (key, chat, text) = (&message.id, &message.conversation, &message.text);
    let coach = super::coach::is_command(text);
    let status = if coach { "done" } else { "pending" };
    let stored = async {
        if store_question(&mut tx, id, key, chat, text, status).await? && coach {
            super::coach::request(&mut tx, id, "webhook", chat).await?;
        }
        tx.commit().await.map_err(MessagingError::from)
    }
    .await;
    if let Err(e) = stored {
        // Not kept: the sender's retry of this very request must not look like a replay.
        forget(&messaging, id, &signature).await;
        return Err(e.into());
    }
    Ok(ApiJson(Accepted { status: "accepted" }))
}

fn check(message: &WebhookMessage) -> Result<(), MessagingError> {
    let within = |s: &str, max: usize| (1..=max).contains(&s.trim().chars().count());
    if within(&message.conversation, 200)
        && within(&message.id, 200)
        && within(&message.text, MAX_TEXT_CHARS)
    {
        Ok(())
    } else {
        Err(MessagingError::Invalid(
            "conversation and id need 1–200 characters, text 1–4000".into(),
        ))
    }
}

fn replay_key(id: Uuid, signature: &str) -> String {
    format!("channel:replay:{id}:{signature}")
}

/// Forgets that `signature` was used (best effort).
async fn forget(messaging: &Messaging, id: Uuid, signature: &str) {
    if let Some(pool) = &messaging.redis
        && let Ok(mut conn) = pool.get().await
    {
        let _: Result<i64, _> = redis::cmd("DEL")
            .arg(replay_key(id, signature))
            .query_async(&mut conn)
            .await;
    }
}

/// Fails when `signature` was already used within the tolerance window (a replay).
async fn first_use(messaging: &Messaging, id: Uuid, signature: &str) -> Result<(), MessagingError> {
    let pool = messaging
        .redis
        .as_ref()
        .ok_or_else(|| MessagingError::Redis("no Redis URL".into()))?;
    let mut conn = pool.get().await?;
    let key = replay_key(id, signature);
    let window = u64::try_from(2 * TOLERANCE_SECS).unwrap_or(600);
    let fresh: bool = redis::cmd("SET")
        .arg(&key)
        .arg(1)
        .arg("NX")
        .arg("EX")
        .arg(window)
        .query_async::<Option<String>>(&mut conn)
        .await?
        .is_some();
    if fresh {
        Ok(())
    } else {
        Err(MessagingError::Unauthorized(
            "this signed request was already received (replay)".into(),
        ))
    }
}
