//! Paged documents (PDF text, one string per page as an extractor yields it) and plain text:
//! paragraphs are merged into chunks, a chunk never spans two pages, and each chunk is located by
//! its page (plain text by an empty heading path).

use crate::location::{Chunk, Location};
use crate::options::ChunkOptions;
use crate::split::{pack, paragraphs};

/// Chunks pages given as `(page_number, text)` in reading order; each chunk's location is the
/// page its text comes from. Blank pages yield no chunk.
pub fn chunk_pages<S: AsRef<str>>(pages: &[(u32, S)], opts: &ChunkOptions) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for (page, text) in pages {
        let units = paragraphs(text.as_ref());
        crate::append(&mut chunks, pack(&units, "\n\n", opts), |_| {
            Location::Page { page: *page }
        });
    }
    chunks
}

/// Chunks plain text: blank-line separated paragraphs merged up to the size limit, each chunk
/// located by an empty heading path (`{"heading_path":[]}`).
pub fn chunk_text(text: &str, opts: &ChunkOptions) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    crate::append(&mut chunks, pack(&paragraphs(text), "\n\n", opts), |_| {
        Location::Headings {
            heading_path: Vec::new(),
        }
    });
    chunks
}
