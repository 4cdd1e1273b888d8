//! Creating a content item: quotas, the row, its chunks and its embed job in the caller's one
//! tenant transaction, so there is never content without its chunks or its job.

use chrono::{DateTime, Utc};
use coachai_chunker::{Chunk, ChunkOptions, chunk_markdown, chunk_text};
use coachai_common::{AppError, FieldError, TenantTx};
use coachai_ingestion::{JobKind, enqueue};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::models::content::{BodyKind, Content, ContentKind, ContentStatus, NewContent};
use crate::store::quota;

/// The columns of a [`Content`], with the chunk counts derived from `content_chunks` (`c` is
/// `content_items`).
pub(crate) const COLUMNS: &str = "
    c.id, c.title, c.kind, c.status, c.failure_reason, c.version,
    (SELECT count(*) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id) AS chunks_total,
    (SELECT count(ch.embedding_id) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id) AS chunks_processed,
    c.size_bytes, c.tags, c.source_filename, c.created_at, c.updated_at";

/// A row of [`COLUMNS`].
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    id: Uuid,
    title: String,
    kind: String,
    status: String,
    failure_reason: Option<String>,
    version: i32,
    chunks_total: i64,
    chunks_processed: i64,
    size_bytes: i64,
    tags: Vec<String>,
    source_filename: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    /// The API's view of the row; a kind or status the database allows but this code does not
    /// know is a bug, answered with a 500.
    pub(crate) fn into_content(self) -> Result<Content, AppError> {
        let kind = ContentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == self.kind)
            .ok_or_else(|| AppError::internal(format!("unknown content kind {}", self.kind)))?;
        let status = ContentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == self.status)
            .ok_or_else(|| AppError::internal(format!("unknown status {}", self.status)))?;
        Ok(Content {
            id: self.id,
            title: self.title,
            kind,
            status,
            status_reason: self.failure_reason,
            version: self.version,
            chunks_total: self.chunks_total,
            chunks_processed: self.chunks_processed,
            size_bytes: self.size_bytes,
            tags: self.tags,
            source_filename: self.source_filename,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The chunks the AI will read of `new`'s body.
fn chunks(new: &NewContent) -> Vec<Chunk> {
    let options = ChunkOptions::default();
    match new.kind {
        BodyKind::Text => chunk_text(&new.body, &options),
        BodyKind::Markdown => chunk_markdown(&new.body, &options),
    }
}

/// Stores `new` as a pending item with its chunks and an embed job, after checking the quotas
/// under the creator row's lock; returns the new id.
pub async fn create(tx: &mut TenantTx, new: &NewContent) -> Result<Uuid, AppError> {
    let pieces = chunks(new);
    if pieces.is_empty() {
        return Err(AppError::Validation(vec![FieldError {
            field: "body".into(),
            message: "must contain some text".into(),
        }]));
    }
    let size = i64::try_from(new.body.len()).map_err(AppError::internal)?;
    quota::reserve(tx, size).await?;
    let kind = match new.kind {
        BodyKind::Text => ContentKind::Text,
        BodyKind::Markdown => ContentKind::Markdown,
    };
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO content_items (creator_id, title, kind, mime_type, size_bytes, sha256, tags)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tx.creator().0)
    .bind(new.title.trim())
    .bind(kind.as_str())
    .bind(match new.kind {
        BodyKind::Text => "text/plain",
        BodyKind::Markdown => "text/markdown",
    })
    .bind(size)
    .bind(Sha256::digest(new.body.as_bytes()).to_vec())
    .bind(distinct(&new.tags))
    .fetch_one(tx.conn())
    .await?;
    insert_chunks(tx, id, &pieces).await?;
    enqueue(tx, id, JobKind::Embed).await?;
    Ok(id)
}

/// Writes `pieces` in one statement.
async fn insert_chunks(tx: &mut TenantTx, content: Uuid, pieces: &[Chunk]) -> Result<(), AppError> {
    let mut indexes = Vec::with_capacity(pieces.len());
    let mut bodies = Vec::with_capacity(pieces.len());
    let mut locations = Vec::with_capacity(pieces.len());
    for piece in pieces {
        indexes.push(i32::try_from(piece.index).map_err(AppError::internal)?);
        bodies.push(piece.text.as_str());
        locations.push(serde_json::to_value(&piece.location).map_err(AppError::internal)?);
    }
    sqlx::query(
        "INSERT INTO content_chunks (creator_id, content_id, chunk_index, body, location)
         SELECT $1, $2, i, b, l FROM unnest($3::int[], $4::text[], $5::jsonb[]) AS u (i, b, l)",
    )
    .bind(tx.creator().0)
    .bind(content)
    .bind(indexes)
    .bind(bodies)
    .bind(locations)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The tags trimmed, each once, in the order given.
pub(crate) fn distinct(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags.iter().map(|t| t.trim().to_owned()) {
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}
