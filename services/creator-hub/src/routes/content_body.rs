//! `PUT /api/v1/creators/{creator_id}/content/{content_id}/body`: a new body for an item, in
//! the forms of an upload, becomes its next version. Answers keep using the live version until
//! the new one's vectors are ready; another creator's item is a 404 like an absent one.

use axum::extract::{Request, State};
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::scoped::ScopedPrincipal;
use coachai_common::state::CoreState;

use super::content::read_source;
use super::{ContentId, PROFILE_KEY, request_origin};
use crate::models::content::{Content, NewContent};
use crate::models::upload::UploadForm;
use crate::store::{library, version};

/// Replaces the body of an item, as JSON or as a file (the forms of an upload): it is chunked
/// and queued as the next version (`pending_version`), which replaces `version` once embedded.
#[utoipa::path(
    put, path = "/{creator_id}/content/{content_id}/body", tag = "content",
    params(
        ("creator_id" = Uuid, Path, description = "the caller's own creator"),
        ("content_id" = Uuid, Path, description = "a content item of that creator")
    ),
    request_body(content(
        (NewContent = "application/json"),
        (UploadForm = "multipart/form-data")
    )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "chunked and queued as `pending_version`; `version` is still the one answers use", body = Content),
        (status = 400, description = "a malformed JSON body or multipart form", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `content:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such item for this creator", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the storage quota would be exceeded, the file is over 10 MiB, or the request is over the body limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "neither JSON nor a multipart form, or a file that is not a PDF, a transcript or UTF-8 text", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields, an empty file, a malformed transcript or a PDF without text", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn put_body(
    State(state): State<CoreState>,
    ScopedPrincipal(principal): ScopedPrincipal,
    ContentId(id): ContentId,
    request: Request,
) -> Result<ApiJson<Content>, AppError> {
    principal.require_staff()?;
    let origin = request_origin(request.headers());
    // The body is read before the transaction opens: a slow upload holds no connection.
    let (item, ingest) = read_source(&state, request).await?;
    let mut tx = state.db.begin_for(principal.creator_id).await?;
    let new_version = version::replace_body(&mut tx, id, &item, &ingest).await?;
    let changed = library::get(&mut tx, id).await?;
    AuditEntry::new(Actor::User(principal.user_id), "content.version", &origin)
        .target("content", id)
        .details(serde_json::json!({ "version": new_version }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    state
        .cache
        .invalidate(principal.creator_id, PROFILE_KEY)
        .await;
    Ok(ApiJson(changed))
}
