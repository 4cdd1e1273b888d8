//! Fitting a prompt into the model's context window. Ollama silently drops the start of a
//! prompt longer than `num_ctx`, which would cut the instructions first; so the engine sizes the
//! prompt itself: the instructions and the question always stay, passages are added best first
//! while they fit, then recent turns newest first, and older turns are summarised in one line.

/// The token count the engine assumes for `text`: a quarter of the characters of each word,
/// rounded up, at least one per word. It overestimates English for Llama-style tokenizers,
/// which leaves a margin rather than a silent truncation.
pub fn estimate_tokens(text: &str) -> u32 {
    let words = text
        .split_whitespace()
        .map(|w| w.chars().count().div_ceil(4).max(1));
    u32::try_from(words.sum::<usize>()).unwrap_or(u32::MAX)
}

/// The window of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The context window sent to Ollama as `num_ctx`.
    pub num_ctx: u32,
    /// Tokens kept free for the answer.
    pub answer: u32,
    /// At most this share (in percent) of what is left after the instructions, the question and
    /// the passages goes to earlier turns.
    pub history_percent: u32,
}

impl Budget {
    /// A budget for a model whose window is `context_length`, capped at `cap` tokens; an eighth
    /// of it (128 to 512 tokens) is kept for the answer: chat answers are short.
    pub fn for_model(context_length: u32, cap: u32) -> Self {
        let num_ctx = context_length.min(cap).max(512);
        Self {
            num_ctx,
            answer: (num_ctx / 8).clamp(128, 512),
            history_percent: 50,
        }
    }
}

/// What fits: indexes into the passages and turns offered, and the estimated prompt size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The passages kept, best first.
    pub passages: Vec<usize>,
    /// The turns kept verbatim, oldest first.
    pub turns: Vec<usize>,
    /// The turns before `turns`, to be summarised (oldest first).
    pub summarised: Vec<usize>,
    /// The estimated prompt tokens of what was kept.
    pub prompt_tokens: u32,
}

/// The prompt does not fit even without passages and history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the instructions and the message need {needed} tokens; the model's window leaves {room}")]
pub struct TooLong {
    /// Tokens of the instructions and the message.
    pub needed: u32,
    /// Tokens available for them.
    pub room: u32,
}

/// Chooses what goes into the prompt. `fixed` counts the instructions and the question;
/// `passages` and `turns` are token counts (passages best first, turns oldest first).
pub fn fit(budget: Budget, fixed: u32, passages: &[u32], turns: &[u32]) -> Result<Fit, TooLong> {
    let room = budget.num_ctx.saturating_sub(budget.answer);
    if fixed > room {
        return Err(TooLong {
            needed: fixed,
            room,
        });
    }
    let mut used = fixed;
    let mut kept_passages = Vec::new();
    for (i, &cost) in passages.iter().enumerate() {
        if used + cost <= room {
            used += cost;
            kept_passages.push(i);
        }
    }
    let history_room = (room - used) * budget.history_percent / 100;
    let mut history_used = 0;
    let mut first_kept = turns.len();
    for (i, &cost) in turns.iter().enumerate().rev() {
        if history_used + cost > history_room {
            break;
        }
        history_used += cost;
        first_kept = i;
    }
    Ok(Fit {
        passages: kept_passages,
        turns: (first_kept..turns.len()).collect(),
        summarised: (0..first_kept).collect(),
        prompt_tokens: used + history_used,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const BUDGET: Budget = Budget {
        num_ctx: 1000,
        answer: 200,
        history_percent: 50,
    };

    #[test]
    fn tokens_are_estimated_per_word_and_never_zero_for_a_word() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("a an the"), 3);
        assert_eq!(estimate_tokens("kettlebell"), 3);
    }

    #[test]
    fn the_window_is_capped_and_keeps_room_for_the_answer() {
        let small = Budget::for_model(8192, 4096);
        assert_eq!((small.num_ctx, small.answer), (4096, 512));
        assert_eq!(Budget::for_model(2048, 4096).num_ctx, 2048);
    }

    #[test]
    fn passages_are_kept_best_first_while_they_fit_and_a_large_one_is_skipped() {
        let fit = fit(BUDGET, 300, &[200, 400, 100], &[]).unwrap();
        assert_eq!(fit.passages, [0, 2]);
        assert_eq!(fit.prompt_tokens, 600);
    }

    #[test]
    fn recent_turns_are_kept_and_older_ones_summarised() {
        let fit = fit(BUDGET, 400, &[], &[100, 100, 100, 100]).unwrap();
        assert_eq!(fit.turns, [2, 3], "200 tokens of history room");
        assert_eq!(fit.summarised, [0, 1]);
    }

    #[test]
    fn instructions_longer_than_the_window_are_refused() {
        assert_eq!(
            fit(BUDGET, 900, &[], &[]),
            Err(TooLong {
                needed: 900,
                room: 800
            })
        );
    }

    proptest! {
        #[test]
        fn what_is_kept_never_exceeds_the_room_and_always_keeps_the_instructions(
            fixed in 0u32..800,
            passages in proptest::collection::vec(1u32..400, 0..12),
            turns in proptest::collection::vec(1u32..300, 0..12),
        ) {
            let fit = fit(BUDGET, fixed, &passages, &turns).unwrap();
            prop_assert!(fit.prompt_tokens <= BUDGET.num_ctx - BUDGET.answer);
            prop_assert!(fit.prompt_tokens >= fixed);
            prop_assert_eq!(fit.turns.len() + fit.summarised.len(), turns.len());
        }
    }
}
