//! `GET /api/v1/ai/conversations`, `GET|DELETE /api/v1/ai/conversations/{id}`: the caller's own
//! conversations.
//!
//! Everyone, client or staff, sees and erases only the conversations they had themselves: a
//! coach reading a client's chats is not part of the contract, so another user's conversation
//! answers 404 like one that does not exist. API keys need `chat` (or `admin`) and act as the
//! user who made them.

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use coachai_common::AppError;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::{ApiQuery, page_limit};
use coachai_common::state::CoreState;
use coachai_common::tenancy::Tenant;
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::conversations::model::{
    ConversationDetail, ConversationPage, DEFAULT_LIMIT, ListParams, MAX_LIMIT,
};
use crate::conversations::{self, Cursor};

#[derive(OpenApi)]
#[openapi(tags((name = "conversations", description = "The caller's own conversations with the AI coach")))]
struct ApiDoc;

/// The conversation routes, relative to [`crate::PREFIX`].
pub fn api(state: CoreState) -> OpenApiRouter {
    let routes = OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, delete_conversation));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(require_scope(routes, Scope::Chat))
        .with_state(state)
}

/// The caller's conversations, newest first (by when they started), in pages that stay stable
/// while conversations are added or continued.
#[utoipa::path(
    get, path = "/conversations", tag = "conversations",
    params(ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "one page", body = ConversationPage),
        (status = 400, description = "a bad `limit` or a cursor this API did not return", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "an API key without `chat`", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_conversations(
    tenant: Tenant,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<ConversationPage>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    let limit = page_limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = params
        .cursor
        .as_deref()
        .map(Cursor::decode)
        .transpose()
        .map_err(conversations::ConversationError::from)?;
    let (items, more) = conversations::page(&mut tx, principal.user_id, after, limit).await?;
    tx.commit().await?;
    let next_cursor = match items.last() {
        Some(last) if more => Some(
            Cursor {
                created_at: last.created_at,
                id: last.id,
            }
            .encode(),
        ),
        _ => None,
    };
    Ok(ApiJson(ConversationPage { items, next_cursor }))
}

/// One of the caller's conversations with its messages, oldest first, each with its model,
/// sources and whether it was a degraded answer.
#[utoipa::path(
    get, path = "/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path, description = "the conversation")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the conversation", body = ConversationDetail),
        (status = 400, description = "the id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no conversation of the caller has this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_conversation(
    tenant: Tenant,
    ConversationParam(id): ConversationParam,
) -> Result<ApiJson<ConversationDetail>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    let detail = conversations::get(&mut tx, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(ApiJson(detail))
}

/// Erases one of the caller's conversations and all its messages.
#[utoipa::path(
    delete, path = "/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path, description = "the conversation")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "erased with its messages"),
        (status = 400, description = "the id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no conversation of the caller has this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn delete_conversation(
    tenant: Tenant,
    ConversationParam(id): ConversationParam,
) -> Result<StatusCode, AppError> {
    let Tenant { principal, mut tx } = tenant;
    conversations::delete(&mut tx, principal.user_id, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `{id}` of a conversation route; a value that is not a UUID is a 400 problem.
pub(crate) struct ConversationParam(Uuid);

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
