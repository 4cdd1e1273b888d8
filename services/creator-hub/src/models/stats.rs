//! The figures of `GET /api/v1/creators/{id}/stats`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Content items by status, now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentsByStatus {
    /// Waiting for ingestion.
    pub pending: i64,
    /// Being chunked or embedded.
    pub processing: i64,
    /// Answering from.
    pub ready: i64,
    /// Could not be ingested (see each item's reason).
    pub failed: i64,
}

/// A creator's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z",
    "documents": 14,
    "documents_by_status": {"pending": 1, "processing": 0, "ready": 12, "failed": 1},
    "chunks": 310, "storage_bytes": 2411520, "conversations": 48, "messages": 391}))]
pub struct Stats {
    /// Start of the period, inclusive.
    pub from: DateTime<Utc>,
    /// End of the period, exclusive.
    pub to: DateTime<Utc>,
    /// Content items now.
    pub documents: i64,
    /// The same by status.
    pub documents_by_status: DocumentsByStatus,
    /// Chunks the AI reads from, now.
    pub chunks: i64,
    /// Stored content, in bytes, now.
    pub storage_bytes: i64,
    /// Conversations started in the period.
    pub conversations: i64,
    /// Messages (clients' and answers) written in the period.
    pub messages: i64,
}
