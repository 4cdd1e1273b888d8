//! Transcripts: WebVTT and SRT parsed into cues (timings kept to the millisecond, tags stripped),
//! then merged into chunks located by the span from their first cue's start to their last cue's
//! end. Malformed input is a [`TranscriptError`] naming the line, never a panic.

use crate::location::{Chunk, Location};
use crate::options::ChunkOptions;
use crate::split::pack;
use crate::timing::{cue_text, parse_timing};

/// One timed piece of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// When the cue starts, in milliseconds from the start of the media.
    pub start_ms: u64,
    /// When the cue ends, in milliseconds; never before `start_ms`.
    pub end_ms: u64,
    /// The spoken text, lines joined by spaces, markup tags removed, entities decoded.
    pub text: String,
}

/// Why a transcript could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranscriptError {
    /// A WebVTT file must open with a `WEBVTT` line.
    #[error("a WebVTT file must start with a WEBVTT line")]
    MissingHeader,
    /// The file holds no cue with text.
    #[error("the transcript has no cue with text")]
    NoCues,
    /// A cue block without a `start --> end` line.
    #[error("line {line}: expected a cue timing line like 00:01:02.500 --> 00:01:05.000")]
    MissingTiming {
        /// 1-based line number where the cue block starts.
        line: usize,
    },
    /// A timestamp that is not `HH:MM:SS.mmm`, `MM:SS.mmm` or `HH:MM:SS,mmm`.
    #[error("line {line}: bad timestamp {value:?}")]
    BadTimestamp {
        /// 1-based line number of the timing line.
        line: usize,
        /// The timestamp as written (possibly shortened).
        value: String,
    },
    /// A cue that ends before it starts.
    #[error("line {line}: the cue ends before it starts")]
    EndBeforeStart {
        /// 1-based line number of the timing line.
        line: usize,
    },
}

/// Chunks a WebVTT transcript.
pub fn chunk_vtt(input: &str, opts: &ChunkOptions) -> Result<Vec<Chunk>, TranscriptError> {
    Ok(chunk_cues(&parse_vtt(input)?, opts))
}

/// Chunks an SRT transcript.
pub fn chunk_srt(input: &str, opts: &ChunkOptions) -> Result<Vec<Chunk>, TranscriptError> {
    Ok(chunk_cues(&parse_srt(input)?, opts))
}

/// Merges cues, in order, into chunks; each chunk's location spans from the start of its first
/// cue with new text to the latest end among its cues, rounded down to the second.
pub fn chunk_cues(cues: &[Cue], opts: &ChunkOptions) -> Vec<Chunk> {
    let texts: Vec<&str> = cues.iter().map(|c| c.text.as_str()).collect();
    let mut chunks = Vec::new();
    crate::append(&mut chunks, pack(&texts, " ", opts), |p| {
        let covered = &cues[p.first_unit..=p.last_unit];
        let end = covered.iter().map(|c| c.end_ms).max().unwrap_or_default();
        Location::span_ms(cues[p.first_unit].start_ms, end)
    });
    chunks
}

/// Parses WebVTT: a `WEBVTT` header (after an optional BOM), then cue blocks with an optional
/// id line, a `start --> end [settings]` line and text; `NOTE`, `STYLE` and `REGION` blocks are
/// skipped. Cues whose text is empty once tags are stripped are dropped.
pub fn parse_vtt(input: &str) -> Result<Vec<Cue>, TranscriptError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut blocks = blocks(input).into_iter();
    let header = blocks.next().ok_or(TranscriptError::MissingHeader)?;
    let first = header.lines.first().copied().unwrap_or_default();
    let rest = first
        .strip_prefix("WEBVTT")
        .ok_or(TranscriptError::MissingHeader)?;
    if header.first_line != 1 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return Err(TranscriptError::MissingHeader);
    }
    let cue_blocks = blocks.filter(|b| !is_vtt_metadata(b.lines[0]));
    collect_cues(cue_blocks)
}

/// Parses SRT: blocks of an index line, a `start --> end` line with comma decimals and text.
/// The index line may be missing; a leading BOM is ignored.
pub fn parse_srt(input: &str) -> Result<Vec<Cue>, TranscriptError> {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    collect_cues(blocks(input).into_iter())
}

fn is_vtt_metadata(first: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|kw| {
        first
            .strip_prefix(kw)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

fn collect_cues<'a>(blocks: impl Iterator<Item = Block<'a>>) -> Result<Vec<Cue>, TranscriptError> {
    let mut cues = Vec::new();
    for block in blocks {
        let cue = block_cue(&block)?;
        if !cue.text.is_empty() {
            cues.push(cue);
        }
    }
    if cues.is_empty() {
        return Err(TranscriptError::NoCues);
    }
    Ok(cues)
}

/// The cue of one block: timing on its first line, or on its second after an id line.
fn block_cue(block: &Block<'_>) -> Result<Cue, TranscriptError> {
    let timing_at = block
        .lines
        .iter()
        .take(2)
        .position(|l| l.contains("-->"))
        .ok_or(TranscriptError::MissingTiming {
            line: block.first_line,
        })?;
    let line = block.first_line + timing_at;
    let (start_ms, end_ms) = parse_timing(block.lines[timing_at], line)?;
    Ok(Cue {
        start_ms,
        end_ms,
        text: cue_text(&block.lines[timing_at + 1..]),
    })
}

/// Lines between blank lines, with the 1-based number of the first; never empty.
struct Block<'a> {
    first_line: usize,
    lines: Vec<&'a str>,
}

fn blocks(input: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut open = false;
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        match out.last_mut() {
            Some(block) if open => block.lines.push(line),
            _ => out.push(Block {
                first_line: n + 1,
                lines: vec![line],
            }),
        }
        open = true;
    }
    out
}
