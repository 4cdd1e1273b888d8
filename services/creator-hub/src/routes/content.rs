//! `POST|GET /api/v1/creators/{creator_id}/content`: uploading a JSON body or a file and listing
//! the library in keyset pages.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::{ApiQuery, page_limit};
use coachai_common::scoped::{CreatorScoped, ScopedPrincipal};
use coachai_common::state::CoreState;

use super::{PROFILE_KEY, request_origin, upload};
use crate::models::content::{Content, NewContent};
use crate::models::cursor::Cursor;
use crate::models::listing::{ContentPage, DEFAULT_LIMIT, ListParams, MAX_LIMIT, MAX_QUERY_CHARS};
use crate::models::upload::UploadForm;
use crate::store::content::{self, Ingest, NewItem};
use crate::store::library::{self, Filter};

/// Uploads a text or markdown body as JSON, or a file as `multipart/form-data` (`file`, optional
/// `title` and `tags`): it is chunked and queued for embedding in one transaction.
#[utoipa::path(
    post, path = "/{creator_id}/content", tag = "content",
    params(("creator_id" = Uuid, Path, description = "the caller's own creator")),
    request_body(content(
        (NewContent = "application/json"),
        (UploadForm = "multipart/form-data")
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored, chunked and queued (`pending`); a PDF without a text layer is stored `failed` with the reason", body = Content),
        (status = 400, description = "a malformed JSON body or multipart form", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `content:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the document quota is used up (limit and use in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "the storage quota would be exceeded, the file is over 10 MiB, or the request is over the body limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "neither JSON nor a multipart form, or a file that is not a PDF, a transcript or UTF-8 text", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields, an empty file, a malformed transcript (the line is named) or an unreadable PDF", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn create_content(
    State(state): State<CoreState>,
    ScopedPrincipal(principal): ScopedPrincipal,
    request: Request,
) -> Result<(StatusCode, ApiJson<Content>), AppError> {
    principal.require_staff()?;
    let origin = request_origin(request.headers());
    // The body is read before the transaction opens: a slow upload holds no connection.
    let (item, ingest) = read_source(&state, request).await?;
    let mut tx = state.db.begin_for(principal.creator_id).await?;
    let id = content::create(&mut tx, &item, &ingest).await?;
    let created = library::get(&mut tx, id).await?;
    AuditEntry::new(Actor::User(principal.user_id), "content.create", &origin)
        .target("content", id)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    state
        .cache
        .invalidate(principal.creator_id, PROFILE_KEY)
        .await;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// The item a JSON body or a multipart form describes, checked, sniffed and chunked: the one
/// reading of uploads and new versions alike.
pub(super) async fn read_source(
    state: &CoreState,
    request: Request,
) -> Result<(NewItem, Ingest), AppError> {
    if upload::is_multipart(request.headers()) {
        return upload::read(request).await;
    }
    let ApiJson(new) = ApiJson::<NewContent>::from_request(request, state)
        .await
        .map_err(|e| match e {
            AppError::UnsupportedMediaType(_) => AppError::UnsupportedMediaType(
                "expected `Content-Type: application/json` or `multipart/form-data`".into(),
            ),
            other => other,
        })?;
    content::from_json(&new)
}

/// The library, newest first, in pages that stay stable while items are added.
#[utoipa::path(
    get, path = "/{creator_id}/content", tag = "content",
    params(("creator_id" = Uuid, Path, description = "the caller's own creator"), ListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "one page", body = ContentPage),
        (status = 400, description = "an unknown filter value, a bad `limit` or a cursor this API did not return", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_content(
    scoped: CreatorScoped,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<ApiJson<ContentPage>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    let limit = page_limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    if params
        .q
        .as_ref()
        .is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS)
    {
        return Err(AppError::BadRequest(format!(
            "`q` must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let after = params
        .cursor
        .as_deref()
        .map(Cursor::decode)
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let filter = Filter {
        status: params.status.map(|s| s.as_str()),
        kind: params.kind.map(|k| k.as_str()),
        tag: params.tag.as_deref(),
        q: params.q.as_deref(),
    };
    let (items, more) = library::page(&mut tx, &filter, after, limit).await?;
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
    Ok(ApiJson(ContentPage { items, next_cursor }))
}
