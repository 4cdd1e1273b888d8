//! Chunk size and overlap, validated once so every chunker can rely on them: `max_chars` at least
//! [`MIN_MAX_CHARS`], `overlap_chars` at most half of `max_chars`. Sizes count Unicode scalar
//! values (`char`s), not bytes.

/// Smallest accepted `max_chars`: below it a chunk holds too little to be worth an embedding.
pub const MIN_MAX_CHARS: usize = 64;

/// Largest separator (in characters) the chunkers put between two pieces of text.
pub(crate) const MAX_SEPARATOR_CHARS: usize = 2;

/// How big chunks may grow and how much of one is carried into the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOptions {
    max_chars: usize,
    overlap_chars: usize,
}

/// Why chunk options were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// `max_chars` below [`MIN_MAX_CHARS`].
    #[error("max_chars must be at least {min}, got {got}")]
    MaxTooSmall {
        /// The smallest accepted value.
        min: usize,
        /// The value given.
        got: usize,
    },
    /// `overlap_chars` above half of `max_chars`.
    #[error("overlap_chars must be at most half of max_chars ({limit}), got {got}")]
    OverlapTooLarge {
        /// The largest accepted value for the given `max_chars`.
        limit: usize,
        /// The value given.
        got: usize,
    },
}

impl ChunkOptions {
    /// Default largest chunk: about 300 tokens of English, a comfortable embedding input.
    pub const DEFAULT_MAX_CHARS: usize = 1200;
    /// Default overlap: a sentence or two of context carried into the next chunk.
    pub const DEFAULT_OVERLAP_CHARS: usize = 150;

    /// Options with chunks of at most `max_chars` characters (the carried overlap included) and
    /// up to `overlap_chars` of the previous chunk's tail carried into the next one.
    pub fn new(max_chars: usize, overlap_chars: usize) -> Result<Self, OptionsError> {
        if max_chars < MIN_MAX_CHARS {
            return Err(OptionsError::MaxTooSmall {
                min: MIN_MAX_CHARS,
                got: max_chars,
            });
        }
        let limit = max_chars / 2;
        if overlap_chars > limit {
            return Err(OptionsError::OverlapTooLarge {
                limit,
                got: overlap_chars,
            });
        }
        Ok(Self {
            max_chars,
            overlap_chars,
        })
    }

    /// No chunk is longer than this many characters, overlap included.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// At most this many characters of a chunk's tail open the next chunk of the same section.
    pub fn overlap_chars(&self) -> usize {
        self.overlap_chars
    }

    /// Longest piece a too-long paragraph or cue is cut into, leaving room for the overlap and a
    /// separator so that carried context never pushes a chunk past `max_chars`.
    pub(crate) fn piece_chars(&self) -> usize {
        self.max_chars - self.overlap_chars - MAX_SEPARATOR_CHARS
    }
}

impl Default for ChunkOptions {
    fn default() -> Self {
        Self {
            max_chars: Self::DEFAULT_MAX_CHARS,
            overlap_chars: Self::DEFAULT_OVERLAP_CHARS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_options() {
        let d = ChunkOptions::default();
        assert_eq!(ChunkOptions::new(d.max_chars(), d.overlap_chars()), Ok(d));
    }

    #[test]
    fn tiny_chunks_are_refused() {
        assert_eq!(
            ChunkOptions::new(10, 0),
            Err(OptionsError::MaxTooSmall { min: 64, got: 10 })
        );
    }

    #[test]
    fn overlap_above_half_the_size_is_refused() {
        assert_eq!(
            ChunkOptions::new(100, 51),
            Err(OptionsError::OverlapTooLarge { limit: 50, got: 51 })
        );
        assert!(ChunkOptions::new(100, 50).is_ok());
    }
}
