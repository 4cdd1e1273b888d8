//! The double's "model": token counting, context truncation, passages and the grounded reply.

use crate::config::Reply;

/// Words of the last user message echoed when the prompt holds no passage.
const ECHO_WORDS: usize = 12;

/// The double's token count of `text`: each whitespace-separated word counts
/// `ceil(chars / 4)` tokens, at least one — about 1.3 tokens per English word.
pub fn count_tokens(text: &str) -> u64 {
    text.split_whitespace().map(word_tokens).sum()
}

fn word_tokens(word: &str) -> u64 {
    u64::try_from(word.chars().count().div_ceil(4))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// A prompt after fitting it into the context window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fitted {
    pub(crate) prompt: String,
    pub(crate) tokens: u64,
    pub(crate) truncated: bool,
}

/// Keeps the end of `text` that fits in `num_ctx` tokens, dropping whole words from the start,
/// as Ollama silently does with a prompt longer than its context.
pub(crate) fn fit_context(text: &str, num_ctx: u64) -> Fitted {
    let total = count_tokens(text);
    if total <= num_ctx {
        return Fitted {
            prompt: text.to_owned(),
            tokens: total,
            truncated: false,
        };
    }
    let mut kept = 0;
    let mut start = text.len();
    for word in text.split_whitespace().rev() {
        let cost = word_tokens(word);
        if kept + cost > num_ctx {
            break;
        }
        kept += cost;
        start = word.as_ptr() as usize - text.as_ptr() as usize;
    }
    Fitted {
        prompt: text[start..].to_owned(),
        tokens: kept,
        truncated: true,
    }
}

/// The trimmed contents of every `<tag ...>...</tag>` block in `text`, in order.
pub(crate) fn passages(text: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after_name = &rest[at + open.len()..];
        let opens_tag = after_name.starts_with(['>', ' ', '\n', '\t']);
        let (Some(gt), true) = (after_name.find('>'), opens_tag) else {
            rest = after_name;
            continue;
        };
        let body = &after_name[gt + 1..];
        let end = body.find(&close).unwrap_or(body.len());
        found.push(body[..end].trim().to_owned());
        rest = &body[end..];
    }
    found
}

/// The first sentence of `text`: up to and including the first `.`, `!` or `?` followed by
/// whitespace or the end, or the first line when there is none; whitespace collapsed.
pub(crate) fn first_sentence(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        let next = line[i + c.len_utf8()..].chars().next();
        if matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace) {
            end = i + c.len_utf8();
            break;
        }
    }
    line[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The answer to a prompt: quotes the first sentence of each passage, or echoes the first words
/// of the last user message when there is no passage.
pub(crate) fn compose_reply(reply: &Reply, passages: &[String], last_user: &str) -> String {
    if let Reply::Fixed(text) = reply {
        return text.clone();
    }
    if passages.is_empty() {
        let echo: Vec<&str> = last_user.split_whitespace().take(ECHO_WORDS).collect();
        return format!("No sources were given. You asked: {}", echo.join(" "));
    }
    let quotes: Vec<String> = passages.iter().map(|p| first_sentence(p)).collect();
    format!("From the sources: {}", quotes.join(" "))
}

/// The streamed pieces of `reply` (one word each, later words with their leading space), cut
/// to `num_predict` pieces when set; the flag says the cut happened (`done_reason: "length"`).
pub(crate) fn stream_pieces(reply: &str, num_predict: Option<i64>) -> (Vec<String>, bool) {
    let mut pieces: Vec<String> = reply
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            if i == 0 {
                w.to_owned()
            } else {
                format!(" {w}")
            }
        })
        .collect();
    let limit = num_predict.and_then(|n| usize::try_from(n).ok());
    match limit {
        Some(limit) if limit < pieces.len() => {
            pieces.truncate(limit);
            (pieces, true)
        }
        _ => (pieces, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_per_four_characters_of_each_word() {
        assert_eq!(count_tokens("a kettlebell swing"), 1 + 3 + 2);
        assert_eq!(count_tokens("  "), 0);
    }

    #[test]
    fn a_prompt_longer_than_the_context_loses_its_start() {
        let fitted = fit_context("one two six ten red", 3);
        assert_eq!(fitted.prompt, "six ten red");
        assert_eq!(fitted.tokens, 3);
        assert!(fitted.truncated);
        assert!(!fit_context("one two", 3).truncated);
    }

    #[test]
    fn passages_are_found_between_tags_with_attributes() {
        let text = "Use these.\n<passage id=\"1\">Swing with a neutral spine. Hinge.</passage>\n\
                    <passages>not one</passages><passage>Breathe out at the top!</passage>";
        assert_eq!(
            passages(text, "passage"),
            [
                "Swing with a neutral spine. Hinge.",
                "Breathe out at the top!"
            ]
        );
    }

    #[test]
    fn the_grounded_reply_quotes_each_first_sentence() {
        let found = vec![
            "Swing with a neutral spine. Hinge.".to_owned(),
            "Rest 90 s".to_owned(),
        ];
        let reply = compose_reply(&Reply::Grounded, &found, "how?");
        assert_eq!(
            reply,
            "From the sources: Swing with a neutral spine. Rest 90 s"
        );
    }

    #[test]
    fn without_passages_the_reply_echoes_the_question() {
        let reply = compose_reply(&Reply::Grounded, &[], "how do I swing a kettlebell safely");
        assert_eq!(
            reply,
            "No sources were given. You asked: how do I swing a kettlebell safely"
        );
    }

    #[test]
    fn num_predict_cuts_the_answer() {
        let (pieces, cut) = stream_pieces("a b c", Some(2));
        assert_eq!(pieces, ["a", " b"]);
        assert!(cut);
        assert_eq!(
            stream_pieces("a b", None),
            (vec!["a".into(), " b".into()], false)
        );
    }
}
