//! Packing the units of one section (paragraphs, cues) into chunks of at most `max_chars`
//! characters: short units are merged, a too-long unit is cut at a sentence end, else at
//! whitespace, else at a character boundary, and the tail of each chunk (up to `overlap_chars`,
//! starting at a word) opens the next chunk of the same section when it fits.

use crate::options::{ChunkOptions, MAX_SEPARATOR_CHARS};

/// One chunk of a section before it gets its index and location.
#[derive(Debug)]
pub(crate) struct Packed {
    /// Trimmed, non-empty, at most `max_chars` characters.
    pub text: String,
    /// Leading characters repeated from the previous chunk (overlap plus separator).
    pub overlap_chars: usize,
    /// Index (in the section's unit list) of the first unit with new text in this chunk.
    pub first_unit: usize,
    /// Index of the last unit with text in this chunk.
    pub last_unit: usize,
}

/// The non-blank paragraphs of `text` (separated by lines holding only whitespace), trimmed.
pub(crate) fn paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(text[s..offset].trim());
            }
        } else if start.is_none() {
            start = Some(offset);
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(text[s..].trim());
    }
    out
}

/// Packs one section's units, joined by `separator` (at most two characters), into chunks.
/// Blank units are skipped; unit indexes in the result refer to positions in `units`.
pub(crate) fn pack<S: AsRef<str>>(
    units: &[S],
    separator: &str,
    opts: &ChunkOptions,
) -> Vec<Packed> {
    debug_assert!(separator.chars().count() <= MAX_SEPARATOR_CHARS);
    let mut packer = Packer {
        opts,
        done: Vec::new(),
        current: None,
        current_chars: 0,
    };
    for (unit, text) in units.iter().enumerate() {
        let text = text.as_ref().trim();
        if text.chars().nth(opts.max_chars()).is_none() {
            packer.push(text, unit, separator);
            continue;
        }
        for (i, piece) in split_long(text, opts.piece_chars()).into_iter().enumerate() {
            packer.push(piece, unit, if i == 0 { separator } else { " " });
        }
    }
    packer.finish()
}

struct Packer<'a> {
    opts: &'a ChunkOptions,
    done: Vec<Packed>,
    current: Option<Packed>,
    current_chars: usize,
}

impl Packer<'_> {
    /// Appends `piece` to the open chunk when it fits, else opens a new chunk with it.
    fn push(&mut self, piece: &str, unit: usize, separator: &str) {
        if piece.is_empty() {
            return;
        }
        let piece_chars = piece.chars().count();
        let sep_chars = separator.chars().count();
        if let Some(open) = self.current.as_mut()
            && self.current_chars + sep_chars + piece_chars <= self.opts.max_chars()
        {
            open.text.push_str(separator);
            open.text.push_str(piece);
            open.last_unit = unit;
            self.current_chars += sep_chars + piece_chars;
            return;
        }
        self.open(piece, piece_chars, unit, separator);
    }

    /// Closes the open chunk and starts the next with as much of its tail as fits.
    fn open(&mut self, piece: &str, piece_chars: usize, unit: usize, separator: &str) {
        let previous = self.current.take();
        let room = self
            .opts
            .max_chars()
            .saturating_sub(piece_chars + MAX_SEPARATOR_CHARS);
        let budget = self.opts.overlap_chars().min(room);
        let carry = previous.as_ref().map_or("", |p| tail(&p.text, budget));
        let mut text = String::with_capacity(carry.len() + separator.len() + piece.len());
        let mut overlap_chars = 0;
        if !carry.is_empty() {
            text.push_str(carry);
            text.push_str(separator);
            overlap_chars = carry.chars().count() + separator.chars().count();
        }
        text.push_str(piece);
        self.done.extend(previous);
        self.current_chars = overlap_chars + piece_chars;
        self.current = Some(Packed {
            text,
            overlap_chars,
            first_unit: unit,
            last_unit: unit,
        });
    }

    fn finish(mut self) -> Vec<Packed> {
        self.done.extend(self.current.take());
        self.done
    }
}

/// At most `budget` trailing characters of `text`, starting at a word when the cut would split
/// one (a single word longer than the budget is cut at a character boundary), trimmed.
fn tail(text: &str, budget: usize) -> &str {
    if budget == 0 {
        return "";
    }
    let Some((start, _)) = text.char_indices().nth_back(budget - 1) else {
        return text.trim();
    };
    let candidate = &text[start..];
    let at_word_start = text[..start]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace);
    if at_word_start {
        return candidate.trim();
    }
    match candidate.find(char::is_whitespace) {
        Some(ws) if !candidate[ws..].trim().is_empty() => candidate[ws..].trim(),
        _ => candidate.trim(),
    }
}

/// Cuts a trimmed `text` into trimmed pieces of at most `limit` characters each.
fn split_long(text: &str, limit: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some((window_end, next)) = rest.char_indices().nth(limit) {
        // The probe includes the next character so a cut right after the window is possible.
        let probe = &rest[..window_end + next.len_utf8()];
        let cut = boundary(probe).unwrap_or(window_end);
        let (head, after) = rest.split_at(cut);
        pieces.push(head.trim_end());
        rest = after.trim_start();
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// Where to cut `probe`: after the last sentence end in its second half, else at its last
/// whitespace. Never 0, so every cut makes progress.
fn boundary(probe: &str) -> Option<usize> {
    let bytes = probe.as_bytes();
    let sentence = (probe.len() / 2..bytes.len()).rev().find(|&i| {
        i > 0 && bytes[i].is_ascii_whitespace() && matches!(bytes[i - 1], b'.' | b'!' | b'?')
    });
    sentence.or_else(|| probe.rfind(char::is_whitespace).filter(|&i| i > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_after_a_sentence_when_one_ends_late_enough() {
        let text = "First sentence is here. Second one follows and runs on and on";
        assert_eq!(
            split_long(text, 30),
            vec![
                "First sentence is here.",
                "Second one follows and runs on",
                "and on"
            ]
        );
    }

    #[test]
    fn one_huge_word_is_cut_between_characters_not_inside_one() {
        let word = "é".repeat(25);
        let pieces = split_long(&word, 10);
        assert_eq!(
            pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
            vec![10, 10, 5]
        );
    }

    #[test]
    fn the_carried_tail_starts_at_a_word() {
        assert_eq!(tail("alpha beta gamma", 8), "gamma");
        assert_eq!(tail("alpha beta gamma", 10), "beta gamma");
        assert_eq!(tail("abcdefghij", 4), "ghij");
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines() {
        assert_eq!(
            paragraphs("a\nb\n\n  \n c \r\n\r\nd"),
            vec!["a\nb", "c", "d"]
        );
    }
}
