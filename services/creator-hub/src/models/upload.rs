//! A file uploaded as `multipart/form-data`: its limits, its format decided from its content
//! (never its name) with the chunker's `sniff`, its chunks or the reason it cannot be read, and
//! the file name and title kept of it. Pure functions; the route streams the parts.

use coachai_chunker::pdf::PdfError;
use coachai_chunker::{ChunkError, ChunkOptions, Format, chunk_bytes, sniff};
use coachai_common::{AppError, FieldError};
use garde::Validate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::content::{ContentKind, MAX_TAGS};
use super::text::{no_control, not_blank};
use crate::store::content::Ingest;

/// Largest uploaded file, in bytes: reading stops at the byte after it.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Room in a multipart request for its boundaries, part headers, `title` and `tags`.
pub const FORM_OVERHEAD_BYTES: usize = 64 * 1024;
/// Largest multipart request: a `Content-Length` above it is refused before any byte is read.
pub const MAX_REQUEST_BYTES: usize = MAX_FILE_BYTES + FORM_OVERHEAD_BYTES;
/// Longest stored file name, in characters.
pub const MAX_FILENAME_CHARS: usize = 255;

/// Why an uploaded file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// Over [`MAX_FILE_BYTES`] (or the request over [`MAX_REQUEST_BYTES`]).
    #[error("the file is larger than the upload limit of {MAX_FILE_BYTES} bytes (10 MiB)")]
    TooLarge,
    /// No bytes, or only whitespace.
    #[error("the file is empty; upload a file with some text")]
    Empty,
    /// Not a PDF, a transcript or UTF-8 text (binary data, invalid UTF-8).
    #[error(
        "unsupported file type: upload a PDF, a WebVTT or SRT transcript, markdown or plain \
         UTF-8 text (the type is decided from the content, not the name)"
    )]
    Unsupported,
    /// A transcript the parser refused (the message names the line).
    #[error("the transcript cannot be read: {0}")]
    Transcript(String),
    /// A PDF that cannot be opened at all (damaged, encrypted, too many pages).
    #[error("{0}")]
    Pdf(String),
}

impl From<UploadError> for AppError {
    fn from(err: UploadError) -> Self {
        let field = |message: String| {
            AppError::Validation(vec![FieldError {
                field: "file".into(),
                message,
            }])
        };
        match err {
            UploadError::TooLarge => AppError::PayloadTooLarge(err.to_string()),
            UploadError::Unsupported => AppError::UnsupportedMediaType(err.to_string()),
            UploadError::Empty | UploadError::Transcript(_) | UploadError::Pdf(_) => {
                field(err.to_string())
            }
        }
    }
}

/// The parts of an upload besides the file, checked with the JSON upload's rules.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct FileMeta {
    /// 1–300 characters, single-line; the file name without its extension when absent.
    #[garde(
        length(chars, min = 1, max = 300),
        custom(no_control),
        custom(not_blank)
    )]
    pub title: String,
    /// At most 20 tags of 1–50 characters each.
    #[garde(length(max = MAX_TAGS), inner(length(chars, min = 1, max = 50), custom(no_control), custom(not_blank)))]
    pub tags: Vec<String>,
}

/// The multipart form as the OpenAPI document shows it.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"file": "(the file's bytes)", "title": "Warm-up basics",
    "tags": "mobility,hips"}))]
pub struct UploadForm {
    /// The file: PDF, WebVTT, SRT, markdown or UTF-8 text, at most 10 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// 1–300 characters; defaults to the file name without its extension.
    pub title: Option<String>,
    /// Comma-separated, or the part repeated once per tag.
    pub tags: Option<String>,
}

/// What an uploaded file becomes: its kind, the MIME type stored for it, and its chunks (or the
/// reason it ends `failed`).
#[derive(Debug)]
pub struct Inspected {
    /// The library kind.
    pub kind: ContentKind,
    /// The MIME type of the sniffed format.
    pub mime_type: &'static str,
    /// Chunks to store, or why the item is stored `failed`.
    pub ingest: Ingest,
}

/// Sniffs and chunks `bytes`. A PDF without a text layer is not refused: it is stored `failed`
/// with the chunker's reason, so the coach sees it in the library and why it has no chunks.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, UploadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(UploadError::Empty);
    }
    let format = sniff(bytes).ok_or(UploadError::Unsupported)?;
    let (kind, mime_type) = match format {
        Format::Pdf => (ContentKind::Pdf, "application/pdf"),
        Format::Vtt => (ContentKind::Transcript, "text/vtt"),
        Format::Srt => (ContentKind::Transcript, "application/x-subrip"),
        Format::Markdown => (ContentKind::Markdown, "text/markdown"),
        Format::Text => (ContentKind::Text, "text/plain"),
    };
    let ingest = match chunk_bytes(format, bytes, &ChunkOptions::default()) {
        Ok(chunks) if chunks.is_empty() => return Err(UploadError::Empty),
        Ok(chunks) => Ingest::Chunks(chunks),
        Err(ChunkError::Pdf(PdfError::NoText)) => Ingest::Failed(PdfError::NoText.to_string()),
        Err(ChunkError::Pdf(e)) => return Err(UploadError::Pdf(e.to_string())),
        Err(ChunkError::Transcript(e)) => return Err(UploadError::Transcript(e.to_string())),
        Err(ChunkError::NotUtf8(_)) => return Err(UploadError::Unsupported),
    };
    Ok(Inspected {
        kind,
        mime_type,
        ingest,
    })
}

/// The client's file name made safe to store and show: the last path component (after `/` or
/// `\`), control characters and bidirectional overrides removed, trimmed, at most 255
/// characters; `None` when nothing (or only `.` / `..`) is left.
pub fn sanitize_filename(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|&c| !hidden(c)).collect();
    let clean: String = clean.trim().chars().take(MAX_FILENAME_CHARS).collect();
    let clean = clean.trim_end();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

/// Control characters, and the bidirectional overrides that make `evil\u{202e}fdp.exe` show as
/// `evilexe.pdf`.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The default title of a file: its (sanitised) name without the last extension.
pub fn title_from_filename(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim().to_owned(),
        _ => name.to_owned(),
    }
}

/// The tags of one `tags` part: comma-separated, trimmed, empty pieces dropped.
pub fn split_tags(part: &str) -> impl Iterator<Item = String> + '_ {
    part.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_their_last_component_without_control_characters() {
        let clean = |raw: &str| sanitize_filename(raw);
        assert_eq!(clean("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(
            clean("C:\\Users\\me\\notes.md").as_deref(),
            Some("notes.md")
        );
        assert_eq!(clean("a\u{0}b\r\nc.txt").as_deref(), Some("abc.txt"));
        assert_eq!(clean("dir/"), None);
        assert_eq!(clean("../.."), None);
        assert_eq!(clean(" \u{7} "), None);
        assert_eq!(clean("evil\u{202e}fdp.exe").as_deref(), Some("evilfdp.exe"));
        assert_eq!(clean(&"n".repeat(300)).map(|n| n.len()), Some(255));
    }

    #[test]
    fn titles_drop_the_extension_but_not_a_leading_dot() {
        assert_eq!(title_from_filename("Week 1.notes.md"), "Week 1.notes");
        assert_eq!(title_from_filename(".profile"), ".profile");
        assert_eq!(title_from_filename("README"), "README");
    }

    #[test]
    fn tags_split_on_commas_and_drop_empty_pieces() {
        let tags: Vec<String> = split_tags(" a, b ,,c,").collect();
        assert_eq!(tags, ["a", "b", "c"]);
    }

    #[test]
    fn the_format_comes_from_the_content() {
        assert_eq!(inspect(b"").unwrap_err(), UploadError::Empty);
        assert_eq!(inspect(b" \n\t").unwrap_err(), UploadError::Empty);
        assert_eq!(
            inspect(b"\x00\x01junk").unwrap_err(),
            UploadError::Unsupported
        );
        assert_eq!(inspect(b"caf\xc3 x").unwrap_err(), UploadError::Unsupported);
        assert_eq!(
            inspect(b"hello \xe2\x82").unwrap_err(),
            UploadError::Unsupported
        );
        let notes = inspect(b"# Notes\n\nBreathe.").unwrap();
        assert_eq!(
            (notes.kind, notes.mime_type),
            (ContentKind::Markdown, "text/markdown")
        );
        let bad = inspect(b"WEBVTT\n\n00:00:01.000 --> nonsense\nHi\n").unwrap_err();
        assert!(
            matches!(bad, UploadError::Transcript(ref m) if m.contains("line 3")),
            "{bad}"
        );
    }
}
