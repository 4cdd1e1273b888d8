//! A client asks for their human coach: the conversation gets `attention = 'handoff_requested'`
//! (unless the coach already answers it) and, the first time only, a `coach_requested` event in
//! its log. Over the WebSocket (`request_coach`), over REST
//! (`POST /conversations/{id}/request-coach`) and from messaging channels (`/coach`), always in
//! the client's tenant transaction, so another creator's conversation is not found.

use axum::Extension;
use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::{Tenant, TenantTx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::HandoffError;
use super::routes::ConversationParam;
use crate::events::EventLog;
use crate::protocol::EventKind;

/// How a request for the coach ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requested {
    /// The coach was asked now: the conversation is flagged and `coach_requested` published.
    New,
    /// The coach was asked before and not yet answered: nothing changed.
    Already,
    /// The coach already answers the conversation: nothing changed.
    CoachHandles,
}

/// The answer to `POST /conversations/{id}/request-coach`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"conversation_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
    "requested": "new"}))]
pub struct CoachRequest {
    /// The conversation.
    pub conversation_id: Uuid,
    /// `new` (202), `already` or `coach_handles` (200).
    pub requested: Requested,
}

/// Flags conversation `id` for the coach in `tx`, when `owner` (if given) owns it. Returns how it
/// ended; `NotFound` when no such conversation is visible (RLS) or it belongs to someone else.
/// Publishes nothing.
pub async fn flag(
    tx: &mut TenantTx,
    id: Uuid,
    owner: Option<Uuid>,
) -> Result<Requested, HandoffError> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT handled_by, attention FROM conversations \
          WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) FOR UPDATE",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(tx.conn())
    .await?;
    let (handled_by, attention) = row.ok_or(HandoffError::NotFound)?;
    if handled_by == "coach" {
        return Ok(Requested::CoachHandles);
    }
    if attention.as_deref() == Some("handoff_requested") {
        return Ok(Requested::Already);
    }
    sqlx::query(
        "UPDATE conversations SET attention = 'handoff_requested', attention_at = now() \
          WHERE id = $1",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(Requested::New)
}

/// [`flag`] for its owner `owner`, and on a new request the `coach_requested` event in `log`
/// (before `tx` commits: a log that cannot be written leaves nothing changed). Returns how it
/// ended and, for a new request, the event's `seq`.
pub async fn request_coach(
    tx: &mut TenantTx,
    log: &EventLog,
    id: Uuid,
    owner: Uuid,
) -> Result<(Requested, Option<u64>), HandoffError> {
    let requested = flag(tx, id, Some(owner)).await?;
    if requested != Requested::New {
        return Ok((requested, None));
    }
    let published = log.append(owner, id, &EventKind::CoachRequested).await?;
    Ok((requested, Some(published.seq)))
}

/// Asks for the human coach in one of the caller's own conversations: it shows in the coach's
/// attention list as `handoff_requested` and the caller's connections get `coach_requested`,
/// once. The AI answers until the coach takes over.
#[utoipa::path(
    post, path = "/conversations/{id}/request-coach", tag = "handoff",
    params(("id" = Uuid, Path, description = "one of the caller's conversations")),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "the coach was asked", body = CoachRequest),
        (status = 200, description = "asked before, or the coach already answers: nothing changed", body = CoachRequest),
        (status = 400, description = "the id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no conversation of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the event log is unavailable; nothing changed", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn request(
    tenant: Tenant,
    Extension(log): Extension<EventLog>,
    ConversationParam(id): ConversationParam,
) -> Result<(StatusCode, ApiJson<CoachRequest>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    let (requested, _) = request_coach(&mut tx, &log, id, principal.user_id).await?;
    tx.commit().await?;
    let status = match requested {
        Requested::New => StatusCode::ACCEPTED,
        Requested::Already | Requested::CoachHandles => StatusCode::OK,
    };
    Ok((
        status,
        ApiJson(CoachRequest {
            conversation_id: id,
            requested,
        }),
    ))
}
