//! Structure-aware chunking of a creator's material into the `{index, text, location}` pieces
//! the AI reads: plain text, markdown (by heading path), pages (by page) and transcripts (by
//! time span). Pure functions, no I/O: the Creator Hub sniffs an upload's format with [`sniff`]
//! and calls the matching chunker, or [`chunk_bytes`] (PDF text comes page by page from
//! [`pdf::pages`]).
//!
//! Every chunker promises: chunks are trimmed and never empty, no chunk is longer than
//! [`ChunkOptions::max_chars`] characters (the carried overlap included), indexes run `0..n` in
//! source order, no chunk spans two sections (heading sections, pages), and the chunks' new text
//! ([`Chunk::new_text`]) holds every non-whitespace character of the input, in order.

mod location;
mod markdown;
mod options;
mod pages;
pub mod pdf;
mod sniff;
mod split;
mod timing;
mod transcript;

pub use location::{Chunk, Location};
pub use markdown::chunk_markdown;
pub use options::{ChunkOptions, MIN_MAX_CHARS, OptionsError};
pub use pages::{chunk_pages, chunk_text};
pub use sniff::{Format, sniff};
pub use transcript::{
    Cue, TranscriptError, chunk_cues, chunk_srt, chunk_vtt, parse_srt, parse_vtt,
};

/// Why bytes of a sniffed format could not be chunked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    /// Text formats must be valid UTF-8.
    #[error("the file is not valid UTF-8 text")]
    NotUtf8(#[from] std::str::Utf8Error),
    /// The transcript is malformed.
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
    /// The PDF has no usable text.
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
}

/// Chunks the bytes of a text format (as decided by [`sniff`]); a leading UTF-8 BOM is ignored.
pub fn chunk_bytes(
    format: Format,
    bytes: &[u8],
    opts: &ChunkOptions,
) -> Result<Vec<Chunk>, ChunkError> {
    if format == Format::Pdf {
        return Ok(chunk_pages(&pdf::pages(bytes)?, opts));
    }
    let text = std::str::from_utf8(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(match format {
        Format::Vtt => chunk_vtt(text, opts)?,
        Format::Srt => chunk_srt(text, opts)?,
        Format::Markdown => chunk_markdown(text, opts),
        Format::Text | Format::Pdf => chunk_text(text, opts),
    })
}

/// Appends one section's packed chunks to `chunks`, numbering them after the ones already there.
fn append(
    chunks: &mut Vec<Chunk>,
    packed: Vec<split::Packed>,
    location: impl Fn(&split::Packed) -> Location,
) {
    for p in packed {
        chunks.push(Chunk {
            index: chunks.len(),
            location: location(&p),
            text: p.text,
            overlap_chars: p.overlap_chars,
        });
    }
}
