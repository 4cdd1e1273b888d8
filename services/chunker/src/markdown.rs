//! Markdown: ATX headings (`#`..`######`, not inside fenced code) cut the text into sections
//! named by their heading path; paragraphs of a section are merged into chunks and a chunk never
//! spans two sections. Heading lines themselves are carried by the location, not the text.

use crate::location::{Chunk, Location};
use crate::options::ChunkOptions;
use crate::split::pack;

/// Chunks markdown: each chunk's location is the path of headings above it (`[]` before the
/// first heading), and a fenced code block stays inside one paragraph even across blank lines.
pub fn chunk_markdown(text: &str, opts: &ChunkOptions) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for section in sections(text) {
        let heading_path = section.path;
        crate::append(&mut chunks, pack(&section.units, "\n\n", opts), |_| {
            Location::Headings {
                heading_path: heading_path.clone(),
            }
        });
    }
    chunks
}

/// True when `text` has at least one ATX heading outside fenced code.
pub(crate) fn has_heading(text: &str) -> bool {
    let mut fence: Option<Fence> = None;
    for line in text.lines() {
        match fence {
            Some(open) if open.closed_by(line) => fence = None,
            Some(_) => {}
            None if atx_heading(line).is_some() => return true,
            None => fence = Fence::opened_by(line),
        }
    }
    false
}

struct Section<'a> {
    path: Vec<String>,
    units: Vec<&'a str>,
}

fn sections(text: &str) -> Vec<Section<'_>> {
    let mut scanner = Scanner {
        text,
        sections: vec![Section {
            path: Vec::new(),
            units: Vec::new(),
        }],
        headings: Vec::new(),
        paragraph_start: None,
        fence: None,
    };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        scanner.line(offset, line);
        offset += line.len();
    }
    scanner.end_paragraph(text.len());
    scanner.sections
}

struct Scanner<'a> {
    text: &'a str,
    sections: Vec<Section<'a>>,
    /// Open headings as (level, title), outermost first.
    headings: Vec<(usize, String)>,
    paragraph_start: Option<usize>,
    fence: Option<Fence>,
}

impl<'a> Scanner<'a> {
    fn line(&mut self, at: usize, line: &str) {
        if let Some(open) = self.fence {
            if open.closed_by(line) {
                self.fence = None;
            }
        } else if let Some(opened) = Fence::opened_by(line) {
            self.fence = Some(opened);
            self.paragraph_start.get_or_insert(at);
        } else if line.trim().is_empty() {
            self.end_paragraph(at);
        } else if let Some((level, title)) = atx_heading(line) {
            self.end_paragraph(at);
            self.enter(level, title);
        } else {
            self.paragraph_start.get_or_insert(at);
        }
    }

    fn end_paragraph(&mut self, end: usize) {
        let Some(start) = self.paragraph_start.take() else {
            return;
        };
        let text: &'a str = self.text;
        if let Some(section) = self.sections.last_mut() {
            section.units.push(text[start..end].trim());
        }
    }

    fn enter(&mut self, level: usize, title: String) {
        while self.headings.last().is_some_and(|(open, _)| *open >= level) {
            self.headings.pop();
        }
        self.headings.push((level, title));
        self.sections.push(Section {
            path: self.headings.iter().map(|(_, t)| t.clone()).collect(),
            units: Vec::new(),
        });
    }
}

/// `(level, title)` of an ATX heading line: up to three spaces, 1–6 `#`, then a space, a tab or
/// the end of the line; an optional closing run of `#` is dropped from the title.
fn atx_heading(line: &str) -> Option<(usize, String)> {
    let line = line.trim_end_matches(['\n', '\r']);
    let rest = strip_indent(line)?;
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    if !(1..=6).contains(&level) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let title = after.trim();
    let unclosed = title.trim_end_matches('#');
    let title = if unclosed.is_empty() || unclosed.ends_with([' ', '\t']) {
        unclosed.trim_end()
    } else {
        title
    };
    Some((level, title.to_string()))
}

/// `line` without up to three leading spaces; `None` when indented further (code, not markup).
fn strip_indent(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3).then_some(rest)
}

/// An open fenced code block: its marker (`` ` `` or `~`) and how many of them opened it.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: char,
    len: usize,
}

impl Fence {
    fn opened_by(line: &str) -> Option<Self> {
        let rest = strip_indent(line)?;
        let marker = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
        let len = rest.len() - rest.trim_start_matches(marker).len();
        (len >= 3).then_some(Self { marker, len })
    }

    fn closed_by(self, line: &str) -> bool {
        let Some(rest) = strip_indent(line) else {
            return false;
        };
        let after = rest.trim_start_matches(self.marker);
        rest.len() - after.len() >= self.len && after.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atx_headings_need_a_space_and_lose_their_closing_hashes() {
        assert_eq!(atx_heading("## Setup ##\n"), Some((2, "Setup".into())));
        assert_eq!(atx_heading("   # C#\n"), Some((1, "C#".into())));
        assert_eq!(atx_heading("#hashtag"), None);
        assert_eq!(atx_heading("####### seven"), None);
        assert_eq!(atx_heading("    # indented code"), None);
    }

    #[test]
    fn hashes_inside_fenced_code_are_not_headings() {
        assert!(!has_heading("```sh\n# not a heading\n```\ntext"));
        assert!(has_heading("~~~~\n~~~\n# still code\n~~~~\n# Heading"));
    }
}
