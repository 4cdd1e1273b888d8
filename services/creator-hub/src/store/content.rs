//! Creating a content item, from JSON or a file alike: quotas, the row, its chunks and its embed
//! job in the caller's one tenant transaction, so there is never content without its chunks or
//! its job (an item whose source cannot be read is stored `failed` with neither).

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
    c.id, c.title, c.kind, c.status, c.failure_reason, c.version, c.pending_version,
    (SELECT count(*) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id AND ch.version = c.version)
      AS chunks_total,
    (SELECT count(ch.embedding_id) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id AND ch.version = c.version)
      AS chunks_processed,
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
    pending_version: Option<i32>,
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
            pending_version: self.pending_version,
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

/// What becomes of a new item's source: its chunks, queued for embedding, or the reason it
/// cannot be read (stored `failed`, without chunks or job).
#[derive(Debug)]
pub enum Ingest {
    /// The chunks the AI will read, in source order.
    Chunks(Vec<Chunk>),
    /// Why the source yields nothing to read.
    Failed(String),
}

/// A new item's metadata, whatever it was uploaded as.
#[derive(Debug)]
pub struct NewItem {
    /// Shown in the library (stored trimmed).
    pub title: String,
    /// What it was made from.
    pub kind: ContentKind,
    /// The MIME type of its source.
    pub mime_type: &'static str,
    /// Size of the source in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the source.
    pub sha256: Vec<u8>,
    /// Labels, stored trimmed and once each.
    pub tags: Vec<String>,
    /// The uploaded file's sanitised name.
    pub source_filename: Option<String>,
}

impl NewItem {
    /// The metadata of `source`, sized and hashed.
    pub fn of(source: &[u8], title: String, kind: ContentKind, mime_type: &'static str) -> Self {
        Self {
            title,
            kind,
            mime_type,
            size_bytes: i64::try_from(source.len()).unwrap_or(i64::MAX),
            sha256: Sha256::digest(source).to_vec(),
            tags: Vec::new(),
            source_filename: None,
        }
    }
}

/// A JSON upload as an item and its chunks; a body without text is a 422 on `body`.
pub fn from_json(new: &NewContent) -> Result<(NewItem, Ingest), AppError> {
    let options = ChunkOptions::default();
    let (kind, mime_type, pieces) = match new.kind {
        BodyKind::Text => (
            ContentKind::Text,
            "text/plain",
            chunk_text(&new.body, &options),
        ),
        BodyKind::Markdown => (
            ContentKind::Markdown,
            "text/markdown",
            chunk_markdown(&new.body, &options),
        ),
    };
    if pieces.is_empty() {
        return Err(AppError::Validation(vec![FieldError {
            field: "body".into(),
            message: "must contain some text".into(),
        }]));
    }
    let mut item = NewItem::of(new.body.as_bytes(), new.title.clone(), kind, mime_type);
    item.tags.clone_from(&new.tags);
    Ok((item, Ingest::Chunks(pieces)))
}

/// Stores `item` after checking the quotas under the creator row's lock: with its chunks and an
/// embed job (`pending`), or `failed` with the reason and neither; returns the new id.
pub async fn create(tx: &mut TenantTx, item: &NewItem, ingest: &Ingest) -> Result<Uuid, AppError> {
    quota::reserve(tx, item.size_bytes).await?;
    let (status, reason) = match ingest {
        Ingest::Chunks(_) => (ContentStatus::Pending, None),
        Ingest::Failed(reason) => (ContentStatus::Failed, Some(reason.as_str())),
    };
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO content_items (creator_id, title, kind, mime_type, size_bytes, sha256, tags,
                                    source_filename, status, failure_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tx.creator().0)
    .bind(item.title.trim())
    .bind(item.kind.as_str())
    .bind(item.mime_type)
    .bind(item.size_bytes)
    .bind(&item.sha256)
    .bind(distinct(&item.tags))
    .bind(item.source_filename.as_deref())
    .bind(status.as_str())
    .bind(reason)
    .fetch_one(tx.conn())
    .await?;
    if let Ingest::Chunks(pieces) = ingest {
        insert_chunks(tx, id, 1, pieces).await?;
        enqueue(tx, id, JobKind::Embed).await?;
    }
    Ok(id)
}

/// Chunks written per statement: the encoded parameters of one statement hold one batch, never
/// the whole document a second time.
pub(crate) const CHUNK_INSERT_BATCH: usize = 256;

/// Writes `pieces` as the chunks of `version` of `content`, [`CHUNK_INSERT_BATCH`] per statement,
/// in the caller's transaction.
pub(crate) async fn insert_chunks(
    tx: &mut TenantTx,
    content: Uuid,
    version: i32,
    pieces: &[Chunk],
) -> Result<(), AppError> {
    for batch in pieces.chunks(CHUNK_INSERT_BATCH) {
        insert_batch(tx, content, version, batch).await?;
    }
    Ok(())
}

async fn insert_batch(
    tx: &mut TenantTx,
    content: Uuid,
    version: i32,
    pieces: &[Chunk],
) -> Result<(), AppError> {
    let mut indexes = Vec::with_capacity(pieces.len());
    let mut bodies = Vec::with_capacity(pieces.len());
    let mut locations = Vec::with_capacity(pieces.len());
    for piece in pieces {
        indexes.push(i32::try_from(piece.index).map_err(AppError::internal)?);
        bodies.push(piece.text.as_str());
        locations.push(serde_json::to_value(&piece.location).map_err(AppError::internal)?);
    }
    sqlx::query(
        "INSERT INTO content_chunks (creator_id, content_id, version, chunk_index, body, location)
         SELECT $1, $2, $6, i, b, l FROM unnest($3::int[], $4::text[], $5::jsonb[]) AS u (i, b, l)",
    )
    .bind(tx.creator().0)
    .bind(content)
    .bind(indexes)
    .bind(bodies)
    .bind(locations)
    .bind(version)
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
