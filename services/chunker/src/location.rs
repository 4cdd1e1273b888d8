//! What a chunk is and where it came from: the `{index, text, location}` objects the Hub shows a
//! coach, with `location` serialised untagged as `{heading_path}`, `{page}` or `{start, end}`.

use serde::{Deserialize, Serialize};

/// Where a chunk's text sits in its source.
///
/// Serialised untagged, exactly as the API shows it: `{"heading_path":["Title","Section"]}`,
/// `{"page":3}` or `{"start":"00:14:05","end":"00:15:10"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Location {
    /// Markdown or plain text: the headings above the chunk, outermost first. Empty for plain
    /// text and for markdown before its first heading.
    Headings {
        /// Heading titles from the outermost (`#`) to the innermost enclosing heading.
        heading_path: Vec<String>,
    },
    /// One page of a paged document (PDF), numbered as the text extractor numbered it.
    Page {
        /// The page number the chunk's text comes from.
        page: u32,
    },
    /// A transcript span from the first merged cue's start to the last one's end.
    Span {
        /// `"HH:MM:SS"`, rounded down to the second.
        start: String,
        /// `"HH:MM:SS"`, rounded down to the second.
        end: String,
    },
}

impl Location {
    /// A transcript span between two instants given in milliseconds, each rounded down to the
    /// second and written `"HH:MM:SS"` (hours grow past two digits rather than wrap).
    pub fn span_ms(start_ms: u64, end_ms: u64) -> Self {
        Self::Span {
            start: hms(start_ms),
            end: hms(end_ms),
        }
    }
}

/// One piece of a source that the AI will read, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// Position among the chunks of one source: `0..n`, consecutive, in source order.
    pub index: usize,
    /// The chunk's text: trimmed, never empty, at most `max_chars` characters.
    pub text: String,
    /// Where the text comes from.
    pub location: Location,
    /// How many leading characters of `text` repeat the previous chunk's tail (the overlap and
    /// the separator after it); `text` minus these characters is new material. Not part of the
    /// API's JSON.
    #[serde(skip)]
    pub overlap_chars: usize,
}

impl Chunk {
    /// The part of `text` that the previous chunk did not already contain.
    pub fn new_text(&self) -> &str {
        match self.text.char_indices().nth(self.overlap_chars) {
            Some((at, _)) => &self.text[at..],
            None if self.overlap_chars == 0 => &self.text,
            None => "",
        }
    }
}

/// `"HH:MM:SS"` for an instant in milliseconds, rounded down to the second.
fn hms(ms: u64) -> String {
    let secs = ms / 1000;
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_round_down_to_the_second() {
        assert_eq!(
            Location::span_ms(845_999, 3_600_000 * 101 + 910_000),
            Location::Span {
                start: "00:14:05".into(),
                end: "101:15:10".into()
            }
        );
    }
}
