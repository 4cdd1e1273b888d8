//! `GET|PATCH|DELETE /api/v1/creators/{creator_id}/content/{content_id}` and its `/chunks`:
//! one item of the library. Another creator's id is a 404 like an absent one (RLS hides it).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::scoped::CreatorScoped;
use coachai_common::state::CoreState;

use super::{ContentId, PROFILE_KEY, request_origin};
use crate::models::content::{ChunkView, Content, ContentPatch};
use crate::store::library;

/// One content item.
#[utoipa::path(
    get, path = "/{creator_id}/content/{content_id}", tag = "content",
    params(
        ("creator_id" = Uuid, Path, description = "the caller's own creator"),
        ("content_id" = Uuid, Path, description = "a content item of that creator")
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the item", body = Content),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item for this creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_content(
    scoped: CreatorScoped,
    ContentId(id): ContentId,
) -> Result<ApiJson<Content>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    let content = library::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ApiJson(content))
}

/// The chunks the AI reads of one item, in source order, each with where it comes from.
#[utoipa::path(
    get, path = "/{creator_id}/content/{content_id}/chunks", tag = "content",
    params(
        ("creator_id" = Uuid, Path, description = "the caller's own creator"),
        ("content_id" = Uuid, Path, description = "a content item of that creator")
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the chunks", body = [ChunkView]),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item for this creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_chunks(
    scoped: CreatorScoped,
    ContentId(id): ContentId,
) -> Result<ApiJson<Vec<ChunkView>>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    let chunks = library::chunks(&mut tx, id).await?;
    tx.commit().await?;
    Ok(ApiJson(chunks))
}

/// Changes the title or tags; the answer is the whole item after the change.
#[utoipa::path(
    patch, path = "/{creator_id}/content/{content_id}", tag = "content",
    params(
        ("creator_id" = Uuid, Path, description = "the caller's own creator"),
        ("content_id" = Uuid, Path, description = "a content item of that creator")
    ),
    request_body = ContentPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the changed item", body = Content),
        (status = 403, description = "a client, or an API key without `content:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item for this creator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn patch_content(
    headers: HeaderMap,
    scoped: CreatorScoped,
    ContentId(id): ContentId,
    ApiJson(patch): ApiJson<ContentPatch>,
) -> Result<ApiJson<Content>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    library::update(&mut tx, id, &patch).await?;
    let changed = library::get(&mut tx, id).await?;
    let origin = request_origin(&headers);
    AuditEntry::new(Actor::User(principal.user_id), "content.update", &origin)
        .target("content", id)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(ApiJson(changed))
}

/// Deletes an item with its chunks and its jobs.
#[utoipa::path(
    delete, path = "/{creator_id}/content/{content_id}", tag = "content",
    params(
        ("creator_id" = Uuid, Path, description = "the caller's own creator"),
        ("content_id" = Uuid, Path, description = "a content item of that creator")
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "a client, or an API key without `content:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item for this creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn delete_content(
    State(state): State<CoreState>,
    headers: HeaderMap,
    scoped: CreatorScoped,
    ContentId(id): ContentId,
) -> Result<StatusCode, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    library::delete(&mut tx, id).await?;
    let origin = request_origin(&headers);
    AuditEntry::new(Actor::User(principal.user_id), "content.delete", &origin)
        .target("content", id)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    state
        .cache
        .invalidate(principal.creator_id, PROFILE_KEY)
        .await;
    Ok(StatusCode::NO_CONTENT)
}
