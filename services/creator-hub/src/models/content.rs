//! The content object of the library and the bodies that create and change it
//! (`/api/v1/creators/{id}/content`), with their validation.

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::text::{no_control, not_blank};

/// Largest `body` of a JSON upload, in bytes of UTF-8 (the JSON request itself is capped at the
/// service's body limit, 1 MiB by default, which leaves room for escaping).
pub const MAX_BODY_BYTES: usize = 512 * 1024;
/// Most tags on one content item.
pub const MAX_TAGS: usize = 20;

/// What a content item was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    /// Plain text.
    Text,
    /// Markdown; chunks keep their heading path.
    Markdown,
    /// A short note.
    Note,
    /// A VTT or SRT transcript.
    Transcript,
    /// A PDF document.
    Pdf,
}

impl ContentKind {
    /// Every kind, in the order of [`ContentKind::as_str`].
    pub const ALL: [Self; 5] = [
        Self::Text,
        Self::Markdown,
        Self::Note,
        Self::Transcript,
        Self::Pdf,
    ];

    /// The value stored in `content_items.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Note => "note",
            Self::Transcript => "transcript",
            Self::Pdf => "pdf",
        }
    }
}

/// Where a content item is on its way to the AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContentStatus {
    /// Chunked and queued for embedding.
    Pending,
    /// The AI Engine is embedding it.
    Processing,
    /// Its chunks are searchable by the AI.
    Ready,
    /// Processing gave up; `status_reason` says why.
    Failed,
}

impl ContentStatus {
    /// Every status, in the order of [`ContentStatus::as_str`].
    pub const ALL: [Self; 4] = [Self::Pending, Self::Processing, Self::Ready, Self::Failed];

    /// The value stored in `content_items.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }
}

/// The kinds a JSON body can be uploaded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    /// Plain text, chunked by paragraphs.
    Text,
    /// Markdown, chunked under its headings.
    Markdown,
}

/// A content item of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03", "title": "Warm-up basics",
    "kind": "markdown", "status": "ready", "status_reason": null, "version": 2,
    "pending_version": null, "chunks_total": 12, "chunks_processed": 12, "size_bytes": 8412,
    "tags": ["mobility"], "source_filename": "warm-up.md",
    "created_at": "2026-11-20T09:15:00Z", "updated_at": "2026-11-21T10:02:11Z"}))]
pub struct Content {
    /// The content id.
    pub id: Uuid,
    /// Shown in the library.
    pub title: String,
    /// What it was made from.
    pub kind: ContentKind,
    /// Where it is on its way to the AI.
    pub status: ContentStatus,
    /// Why it failed, when it did.
    pub status_reason: Option<String>,
    /// The version answers use: 1 for the first upload, the new one's number once its vectors
    /// are ready.
    pub version: i32,
    /// The version a new body is being processed as, until it replaces `version`; `null` when
    /// none is.
    pub pending_version: Option<i32>,
    /// How many chunks of `version` the AI will read.
    pub chunks_total: i64,
    /// How many of them the AI Engine has embedded (0 until it does).
    pub chunks_processed: i64,
    /// Size of the source of `version` in bytes (counts against the storage quota, and so does
    /// a pending version's).
    pub size_bytes: i64,
    /// Labels for filtering.
    pub tags: Vec<String>,
    /// The uploaded file's name; `null` for JSON uploads.
    pub source_filename: Option<String>,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/creators/{id}/content` as JSON.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Warm-up basics", "kind": "markdown",
    "body": "# Warm-up\n\n## Hips\n\nCircle them slowly.", "tags": ["mobility"]}))]
pub struct NewContent {
    /// 1–300 characters, single-line.
    #[garde(
        length(chars, min = 1, max = 300),
        custom(no_control),
        custom(not_blank)
    )]
    pub title: String,
    /// `text` or `markdown`.
    #[garde(skip)]
    pub kind: BodyKind,
    /// The text, at most 512 KiB of UTF-8, not only whitespace.
    #[garde(length(bytes, min = 1, max = MAX_BODY_BYTES), custom(not_blank))]
    pub body: String,
    /// At most 20 tags of 1–50 characters each.
    #[serde(default)]
    #[garde(length(max = MAX_TAGS), inner(length(chars, min = 1, max = 50), custom(no_control), custom(not_blank)))]
    pub tags: Vec<String>,
}

/// `PATCH /api/v1/creators/{id}/content/{content_id}`: the fields present replace the stored
/// ones; the body changes only through a new version.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Warm-up basics (2026)", "tags": ["mobility", "hips"]}))]
pub struct ContentPatch {
    /// 1–300 characters, single-line.
    #[garde(inner(
        length(chars, min = 1, max = 300),
        custom(no_control),
        custom(not_blank)
    ))]
    pub title: Option<String>,
    /// Replaces the tags: at most 20 of 1–50 characters each.
    #[garde(inner(
        length(max = MAX_TAGS),
        inner(length(chars, min = 1, max = 50), custom(no_control), custom(not_blank))
    ))]
    pub tags: Option<Vec<String>>,
}

/// One chunk as a coach sees what the AI will read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"index": 3, "text": "Circle the hips slowly, ten times each way.",
    "location": {"heading_path": ["Warm-up", "Hips"]}}))]
pub struct ChunkView {
    /// Position in the source, from 0.
    pub index: i32,
    /// The chunk's text.
    pub text: String,
    /// `{heading_path: [...]}`, `{page}` or `{start, end}` (`"00:14:05"`).
    #[schema(value_type = Object, example = json!({"heading_path": ["Warm-up", "Hips"]}))]
    pub location: serde_json::Value,
}
