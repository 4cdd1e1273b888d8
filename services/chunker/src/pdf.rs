//! The text of a PDF, page by page, for [`crate::chunk_pages`]: a creator's PDF becomes chunks
//! whose location is the page a client can look up.
//!
//! Parsing is `lopdf`'s (maintained, pure Rust). Uploaded files are untrusted, so the parser
//! runs under `catch_unwind`: a file that makes it panic is refused like any unreadable file,
//! never a crash of the service. A PDF without a text layer (a scan) is refused with a reason a
//! coach can act on, rather than ingested as nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::Document;

/// Most pages read from one PDF.
pub const MAX_PAGES: usize = 5_000;

/// Why a PDF yields no pages of text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// Not a PDF, or one too damaged to read.
    #[error("the file is not a readable PDF")]
    Unreadable,
    /// Password-protected.
    #[error("the PDF is encrypted; upload it without a password")]
    Encrypted,
    /// More pages than [`MAX_PAGES`].
    #[error("the PDF has {0} pages; at most 5000 are read")]
    TooManyPages(usize),
    /// No page has extractable text.
    #[error("the PDF has no text layer (a scan?); export it with text, or upload the text itself")]
    NoText,
}

/// The text of every page that has some, as `(page number, text)` from page 1.
pub fn pages(bytes: &[u8]) -> Result<Vec<(u32, String)>, PdfError> {
    catch_unwind(AssertUnwindSafe(|| read(bytes))).unwrap_or(Err(PdfError::Unreadable))
}

fn read(bytes: &[u8]) -> Result<Vec<(u32, String)>, PdfError> {
    let document = Document::load_mem(bytes).map_err(|_| PdfError::Unreadable)?;
    if document.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let numbers: Vec<u32> = document.get_pages().into_keys().collect();
    if numbers.len() > MAX_PAGES {
        return Err(PdfError::TooManyPages(numbers.len()));
    }
    let pages: Vec<(u32, String)> = numbers
        .into_iter()
        .filter_map(|number| {
            let text = document.extract_text(&[number]).ok()?;
            let text = text.trim();
            (!text.is_empty()).then(|| (number, text.to_owned()))
        })
        .collect();
    if pages.is_empty() {
        return Err(PdfError::NoText);
    }
    Ok(pages)
}
