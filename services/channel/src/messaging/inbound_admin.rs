//! `GET /{creator_id}/inbound?state=` and `POST /{creator_id}/inbound/{id}/retry`: the inbound
//! messages as the creator's owner or admins see them, dead letters included (newest first, in
//! pages), and a manual retry of a dead one (pending again, a fresh schedule of attempts).

use axum::extract::Path;
use chrono::{DateTime, Utc};
use coachai_common::AppError;
use coachai_common::cursor::Cursor;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::{ApiQuery, page_limit};
use coachai_common::tenancy::Tenant;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::inbound::INBOUND_WAKE;
use super::integrations::{authorize, id};
use super::outbox::wake;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;
/// The API's name of each stored status, and back.
const STATES: [(&str, &str); 3] = [
    ("pending", "pending"),
    ("answered", "done"),
    ("dead", "dead"),
];
const COLUMNS: &str = "id, integration_id, external_chat,
    CASE status WHEN 'done' THEN 'answered' ELSE status END AS state,
    attempts, last_error, next_run_at, created_at, updated_at";

/// One inbound message (its text is not shown).
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct InboundView {
    /// The message.
    pub id: Uuid,
    /// The integration it came through.
    pub integration_id: Uuid,
    /// The external chat it came from.
    pub external_chat: String,
    /// `pending` (to be answered), `answered` or `dead` (given up; its chat was told).
    pub state: String,
    /// Failed attempts at answering it.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending).
    pub next_run_at: DateTime<Utc>,
    /// When it was received.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// One page of inbound messages.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundPage {
    /// The messages, newest first.
    pub items: Vec<InboundView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `?state=&limit=&cursor=` of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboundQuery {
    /// Only messages in this state: `pending`, `answered` or `dead`.
    pub state: Option<String>,
    /// 1–500, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The stored status the API's `state` names.
fn status(state: Option<&str>) -> Result<Option<&'static str>, AppError> {
    let Some(state) = state else {
        return Ok(None);
    };
    STATES
        .iter()
        .find(|(api, _)| *api == state)
        .map(|(_, stored)| Some(*stored))
        .ok_or_else(|| AppError::BadRequest("state must be pending, answered or dead".into()))
}

/// The creator's inbound messages, newest first.
#[utoipa::path(
    get, path = "/{creator_id}/inbound", tag = "messaging",
    security(("bearer" = [])),
    params(("creator_id" = Uuid, Path, description = "the caller's creator"), InboundQuery),
    responses(
        (status = 200, description = "one page", body = InboundPage),
        (status = 400, description = "an unknown state, a bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_inbound(
    Path(creator): Path<String>,
    ApiQuery(query): ApiQuery<InboundQuery>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<ApiJson<InboundPage>, AppError> {
    authorize(&principal, &creator)?;
    let status = status(query.state.as_deref())?;
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match query.cursor.as_deref() {
        Some(text) => Some(
            Cursor::decode(text)
                .map_err(|_| AppError::BadRequest("cursor is not one this API returned".into()))?,
        ),
        None => None,
    };
    let (at, after_id) = after.map_or((None, None), |c| (Some(c.created_at), Some(c.id)));
    let mut items: Vec<InboundView> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM channel_inbound
          WHERE ($1::text IS NULL OR status = $1)
            AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
          ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(status)
    .bind(at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(tx.conn())
    .await?;
    tx.commit().await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = items.last().filter(|_| more).map(|last| {
        Cursor {
            created_at: last.created_at,
            id: last.id,
        }
        .encode()
    });
    Ok(ApiJson(InboundPage { items, next_cursor }))
}

/// Puts a dead inbound message back in the queue, with a fresh schedule of attempts.
#[utoipa::path(
    post, path = "/{creator_id}/inbound/{id}/retry", tag = "messaging",
    security(("bearer" = [])),
    params(
        ("creator_id" = Uuid, Path, description = "the caller's creator"),
        ("id" = Uuid, Path, description = "the inbound message")
    ),
    responses(
        (status = 202, description = "queued again", body = InboundView),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such inbound message of the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the message is not dead", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn retry_inbound(
    Path((creator, raw)): Path<(String, String)>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<(axum::http::StatusCode, ApiJson<InboundView>), AppError> {
    authorize(&principal, &creator)?;
    let message = id(&raw, "inbound message")?;
    let state: Option<String> =
        sqlx::query_scalar("SELECT status FROM channel_inbound WHERE id = $1 FOR UPDATE")
            .bind(message)
            .fetch_optional(tx.conn())
            .await?;
    match state.as_deref() {
        None => return Err(AppError::NotFound(format!("no inbound message `{raw}`"))),
        Some("dead") => {}
        Some(other) => {
            let other = if other == "done" { "answered" } else { other };
            return Err(AppError::Conflict(format!(
                "inbound message `{raw}` is {other}; only dead messages are retried"
            )));
        }
    }
    let view = sqlx::query_as(&format!(
        "UPDATE channel_inbound
            SET status = 'pending', attempts = 0, next_run_at = now(), lease_token = NULL,
                updated_at = now()
          WHERE id = $1
      RETURNING {COLUMNS}"
    ))
    .bind(message)
    .fetch_one(tx.conn())
    .await?;
    wake(&mut tx, INBOUND_WAKE).await?;
    tx.commit().await?;
    Ok((axum::http::StatusCode::ACCEPTED, ApiJson(view)))
}
