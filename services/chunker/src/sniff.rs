//! Deciding a file's format from its content, never its name: the Hub calls [`sniff`] on every
//! upload and refuses what it returns `None` for (binary junk, empty files) as unsupported.

use serde::{Deserialize, Serialize};

use crate::markdown::has_heading;
use crate::timing::parse_timing;

/// A format the chunker can read (PDF through a text extractor feeding `chunk_pages`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Starts with `%PDF-`; needs text extraction into pages first.
    Pdf,
    /// WebVTT transcript.
    Vtt,
    /// SubRip transcript.
    Srt,
    /// UTF-8 text with at least one ATX heading outside fenced code.
    Markdown,
    /// Any other UTF-8 text.
    Text,
}

/// The format of `bytes`, decided from content: `%PDF-` → [`Format::Pdf`]; a first line (after an
/// optional UTF-8 BOM) of `WEBVTT` → [`Format::Vtt`]; a number line followed by a valid
/// `start --> end` line → [`Format::Srt`]; UTF-8 with a markdown heading → [`Format::Markdown`];
/// other UTF-8 → [`Format::Text`].
///
/// `None` means nothing to chunk or not text: empty or whitespace-only input, invalid UTF-8, NUL
/// bytes or other control characters than tab, line feed, carriage return and form feed.
/// `bytes` may be a prefix of the file: a character cut by the end of the prefix is tolerated.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"%PDF-") {
        return Some(Format::Pdf);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = utf8_prefix(bytes)?;
    if text.trim().is_empty() || text.chars().any(is_binary_control) {
        return None;
    }
    Some(text_format(text))
}

fn text_format(text: &str) -> Format {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    if first
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    {
        return Format::Vtt;
    }
    let mut non_blank = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let index = non_blank.next().unwrap_or_default();
    let index_is_number = !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit());
    if index_is_number && non_blank.next().is_some_and(|l| parse_timing(l, 2).is_ok()) {
        return Format::Srt;
    }
    if has_heading(text) {
        Format::Markdown
    } else {
        Format::Text
    }
}

/// The longest valid UTF-8 text of `bytes`, if only an incomplete character at the very end
/// is missing; `None` for any other invalid byte.
fn utf8_prefix(bytes: &[u8]) -> Option<&str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok(),
        Err(_) => None,
    }
}

fn is_binary_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') && (c as u32) < 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_last_character_is_tolerated_but_invalid_bytes_are_not() {
        let cut = &"café".as_bytes()[..4];
        assert_eq!(sniff(cut), Some(Format::Text));
        assert_eq!(sniff(b"caf\xff!"), None);
    }
}
