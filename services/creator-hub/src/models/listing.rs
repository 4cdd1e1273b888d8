//! The query of the library listing (`GET /api/v1/creators/{id}/content`) and its page.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::content::{Content, ContentKind, ContentStatus};

/// Items per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// Most items per page.
pub const MAX_LIMIT: u32 = 100;
/// Longest title search.
pub const MAX_QUERY_CHARS: usize = 200;

/// Filters and position of one page; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only items in this status.
    pub status: Option<ContentStatus>,
    /// Only items of this kind.
    pub kind: Option<ContentKind>,
    /// Only items carrying this tag.
    pub tag: Option<String>,
    /// Only items whose title contains this text (case-insensitive, taken literally).
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<u32>,
}

/// One page of the library, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
    "title": "Warm-up basics",
    "kind": "markdown", "status": "ready", "status_reason": null, "version": 2,
    "pending_version": null, "chunks_total": 12, "chunks_processed": 12, "size_bytes": 8412,
    "tags": ["mobility"], "source_filename": "warm-up.md",
    "created_at": "2026-11-20T09:15:00Z", "updated_at": "2026-11-21T10:02:11Z"}],
    "next_cursor": "MjAyNi0xMS0yMFQwOToxNTowMFp8MDE5NWYzYTI"}))]
pub struct ContentPage {
    /// The items of this page.
    pub items: Vec<Content>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `q` as an ILIKE pattern that matches the text literally anywhere in the title.
pub fn contains_pattern(q: &str) -> String {
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_taken_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
