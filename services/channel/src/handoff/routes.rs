//! The handoff routes: `GET /conversations`, `POST /conversations/{id}/handoff`,
//! `POST /conversations/{id}/messages`, staff only; and the client's
//! `POST /conversations/{id}/request-coach` ([`super::request`]).

use axum::Extension;
use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use coachai_common::AppError;
use coachai_common::cursor::Cursor;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::{ApiQuery, page_limit};
use coachai_common::state::CoreState;
use coachai_common::tenancy::{Tenant, TenantTx};
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::models::{
    CoachConversation, CoachConversationPage, CoachMessage, CoachReply, DEFAULT_LIMIT,
    HandoffRequest, ListQuery, MAX_LIMIT,
};
use super::{AI_RESUMED, COACH_JOINED, HandoffError, store};
use crate::events::EventLog;
use crate::messaging::outbox;
use crate::protocol::{EventKind, HandoffState};

#[derive(OpenApi)]
#[openapi(tags((name = "handoff", description = "The coach takes conversations over from the AI")))]
struct ApiDoc;

/// The handoff routes, relative to [`crate::PREFIX`], publishing to `log`.
pub fn api(state: CoreState, log: EventLog) -> OpenApiRouter {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list))
        .routes(routes!(handoff))
        .routes(routes!(reply))
        .routes(routes!(super::request::request))
        .layer(Extension(log))
        .with_state(state)
}

/// The creator's conversations for the coach, newest attention (or, without attention, newest
/// activity) first; filtered by whether they need attention and by who answers them.
#[utoipa::path(
    get, path = "/conversations", tag = "handoff",
    params(ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "one page", body = CoachConversationPage),
        (status = 400, description = "an unknown filter value, a bad `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client (only owner, admin and coach may)", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list(
    tenant: Tenant,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<ApiJson<CoachConversationPage>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_staff()?;
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = match query.cursor.as_deref() {
        Some(text) => Some(Cursor::decode(text).map_err(HandoffError::from)?),
        None => None,
    };
    let (items, next) = store::page(&mut tx, &query, after, limit).await?;
    tx.commit().await?;
    Ok(ApiJson(CoachConversationPage {
        items,
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// Makes the coach (`coach`) or the AI (`ai`) answer the conversation. Taking over stops the AI
/// answering in it; handing back clears who took it and its attention flag. The client's
/// connections get a `handoff` event when the state changes; asking for the current state
/// publishes nothing (`ai` still clears the attention flag, to dismiss an escalation).
#[utoipa::path(
    post, path = "/conversations/{id}/handoff", tag = "handoff",
    params(("id" = Uuid, Path, description = "the conversation")),
    request_body = HandoffRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the conversation as it is now", body = CoachConversation),
        (status = 400, description = "the id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no conversation of the creator has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`state` is not `ai` or `coach`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the event log is unavailable; nothing changed", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn handoff(
    tenant: Tenant,
    Extension(log): Extension<EventLog>,
    ConversationParam(id): ConversationParam,
    ApiJson(request): ApiJson<HandoffRequest>,
) -> Result<ApiJson<CoachConversation>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_staff()?;
    let before = store::lock(&mut tx, id).await?;
    let changed = before.handled_by != request.state;
    if !changed && request.state == HandoffState::Coach {
        tx.commit().await?;
        return Ok(ApiJson(before));
    }
    // `ai` on a conversation the AI already answers still clears its attention flag: that is
    // how a coach dismisses an escalation they dealt with elsewhere.
    let now = store::hand(&mut tx, id, request.state, principal.user_id).await?;
    if changed {
        announce(&mut tx, &log, &now, request.state).await?;
    }
    tx.commit().await?;
    Ok(ApiJson(now))
}

/// Tells the client that `conversation` changed hands: a `handoff` event for its connections and,
/// when it came from a messaging channel, a notice queued in `tx`.
async fn announce(
    tx: &mut TenantTx,
    log: &EventLog,
    conversation: &CoachConversation,
    state: HandoffState,
) -> Result<(), HandoffError> {
    let notice = match state {
        HandoffState::Coach => COACH_JOINED,
        HandoffState::Ai => AI_RESUMED,
    };
    outbox::enqueue_for_conversation(tx, conversation.id, notice).await?;
    log.append(
        conversation.user_id,
        conversation.id,
        &EventKind::Handoff { state },
    )
    .await?;
    Ok(())
}

/// The coach's reply in a conversation they took over: stored (role `coach`), sent to the
/// client's connections as `coach_message`, and the conversation's attention flag cleared.
#[utoipa::path(
    post, path = "/conversations/{id}/messages", tag = "handoff",
    params(("id" = Uuid, Path, description = "the conversation")),
    request_body = CoachMessage,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored and sent", body = CoachReply),
        (status = 400, description = "the id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no conversation of the creator has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the AI handles the conversation: take it over first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "an empty, blank or too long `text`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the event log is unavailable; nothing was stored", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn reply(
    tenant: Tenant,
    Extension(log): Extension<EventLog>,
    ConversationParam(id): ConversationParam,
    ApiJson(message): ApiJson<CoachMessage>,
) -> Result<(StatusCode, ApiJson<CoachReply>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_staff()?;
    let text = message.text.trim();
    let conversation = store::lock(&mut tx, id).await?;
    if conversation.handled_by != HandoffState::Coach {
        return Err(HandoffError::NotHandedOver.into());
    }
    let (message_id, created_at) = store::add_reply(&mut tx, id, text).await?;
    // Stored and queued for the client's messaging channel (if any) together, or not at all.
    outbox::enqueue_for_conversation(&mut tx, id, text)
        .await
        .map_err(HandoffError::from)?;
    let event = EventKind::CoachMessage {
        message_id,
        text: text.to_owned(),
    };
    log.append(conversation.user_id, id, &event)
        .await
        .map_err(HandoffError::from)?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(CoachReply {
            message_id,
            conversation_id: id,
            created_at,
        }),
    ))
}

/// The `{id}` of a conversation route; a value that is not a UUID is a 400 problem.
pub(crate) struct ConversationParam(pub(super) Uuid);

#[derive(Deserialize)]
struct IdParam {
    id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ConversationParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(param) = Path::<IdParam>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("the path names no conversation".into()))?;
        param.id.parse().map(Self).map_err(|_| {
            AppError::BadRequest("the conversation id in the path is not a UUID".into())
        })
    }
}
