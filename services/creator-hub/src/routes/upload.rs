//! The `multipart/form-data` form of `POST /{creator_id}/content`: the body limit raised for
//! multipart requests of this route only (a declared length over it is refused before any byte
//! is read), and the `file` part streamed into one buffer that stops one byte past the limit.

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use coachai_common::{AppError, FieldError};
use garde::Validate;
use tower::{Layer, ServiceExt};

use crate::models::upload::{
    FileMeta, MAX_FILE_BYTES, MAX_REQUEST_BYTES, UploadError, inspect, sanitize_filename,
    split_tags, title_from_filename,
};
use crate::store::content::{Ingest, NewItem};

/// Longest `title` or `tags` part read, in bytes (the checks after it are in characters).
const MAX_TEXT_PART_BYTES: usize = 4096;

/// Whether the request says it is a multipart form.
pub(super) fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Route layer: multipart requests may be up to [`MAX_REQUEST_BYTES`] instead of the service's
/// body limit, and one declaring more is answered 413 at once; other requests are untouched.
pub(super) async fn upload_limit(request: Request, next: Next) -> Response {
    if !is_multipart(request.headers()) {
        return next.run(request).await;
    }
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return AppError::from(UploadError::TooLarge).into_response();
    }
    match DefaultBodyLimit::max(MAX_REQUEST_BYTES)
        .layer(next)
        .oneshot(request)
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// The parts of the form as received.
#[derive(Default)]
struct Form {
    file: Option<Vec<u8>>,
    filename: Option<String>,
    title: Option<String>,
    tags: Vec<String>,
}

/// Reads the form of `request` and makes the item it describes: the title and tags checked like
/// a JSON upload's, then the file sniffed and chunked.
pub(super) async fn read(request: Request) -> Result<(NewItem, Ingest), AppError> {
    let capacity = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_FILE_BYTES + 1);
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?;
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        take_part(&mut form, field, capacity).await?;
    }
    let file = form
        .file
        .ok_or_else(|| invalid("file", "a `file` part is required"))?;
    let title = form
        .title
        .or_else(|| form.filename.as_deref().map(title_from_filename))
        .ok_or_else(|| invalid("title", "is required when the file has no name"))?;
    let meta = FileMeta {
        title,
        tags: form.tags,
    };
    meta.validate()?;
    let source_filename = form.filename;
    // Parsing a PDF or chunking megabytes of text is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        let inspected = inspect(&file)?;
        let mut item = NewItem::of(&file, meta.title, inspected.kind, inspected.mime_type);
        item.tags = meta.tags;
        item.source_filename = source_filename;
        Ok((item, inspected.ingest))
    })
    .await
    .map_err(AppError::internal)?
}

/// Files one part into `form`; unknown or repeated parts are refused.
async fn take_part(form: &mut Form, field: Field<'_>, capacity: usize) -> Result<(), AppError> {
    match field.name().unwrap_or_default() {
        "file" if form.file.is_none() => {
            form.filename = field.file_name().and_then(sanitize_filename);
            let bytes = read_capped(field, MAX_FILE_BYTES, capacity).await?;
            form.file = Some(bytes.ok_or(UploadError::TooLarge)?);
        }
        "title" if form.title.is_none() => form.title = Some(text_part(field, "title").await?),
        "tags" => {
            let part = text_part(field, "tags").await?;
            form.tags.extend(split_tags(&part));
        }
        "file" | "title" => return Err(invalid(field.name().unwrap_or_default(), "is repeated")),
        other => {
            return Err(invalid(
                other,
                "unknown part; send `file`, `title` and `tags`",
            ));
        }
    }
    Ok(())
}

/// The bytes of `field`, or `None` as soon as they pass `limit` (the rest is never read).
async fn read_capped(
    mut field: Field<'_>,
    limit: usize,
    capacity: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    let mut bytes = Vec::with_capacity(capacity.min(limit + 1));
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// A short UTF-8 part.
async fn text_part(field: Field<'_>, name: &str) -> Result<String, AppError> {
    let bytes = read_capped(field, MAX_TEXT_PART_BYTES, 0)
        .await?
        .ok_or_else(|| invalid(name, "is too long"))?;
    String::from_utf8(bytes).map_err(|_| invalid(name, "must be UTF-8 text"))
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

fn multipart_error(err: MultipartError) -> AppError {
    if err.status().as_u16() == 413 {
        UploadError::TooLarge.into()
    } else {
        AppError::BadRequest(format!(
            "the multipart form cannot be read: {}",
            err.body_text()
        ))
    }
}
