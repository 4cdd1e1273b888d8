//! Splitting an answer into messages a destination accepts: Telegram takes at most
//! [`TELEGRAM_LIMIT`] characters per message. Cuts fall on the last paragraph break that fits,
//! else the last line break, else the last space, else hard at the limit.

/// Telegram's longest message text, in characters.
pub const TELEGRAM_LIMIT: usize = 4096;

/// `text` in pieces of at most `limit` characters (`limit` > 0), in order, none empty.
pub fn split(text: &str, limit: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (head, tail) = cut(rest, limit.max(1));
        let head = head.trim_end();
        if !head.is_empty() {
            parts.push(head.to_owned());
        }
        rest = tail.trim_start();
    }
    parts
}

/// The longest head of `text` within `limit` characters ending on the best boundary.
fn cut(text: &str, limit: usize) -> (&str, &str) {
    let Some((end, _)) = text.char_indices().nth(limit) else {
        return (text, "");
    };
    let window = &text[..end];
    let at = ["\n\n", "\n", " "]
        .iter()
        .find_map(|sep| window.rfind(sep).filter(|&i| i > 0))
        .unwrap_or(end);
    text.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_answer_is_one_message() {
        assert_eq!(split("Breathe in.", TELEGRAM_LIMIT), vec!["Breathe in."]);
        assert!(split("   ", TELEGRAM_LIMIT).is_empty());
    }

    #[test]
    fn long_answers_are_cut_on_paragraphs_first() {
        let text = format!("{}\n\n{}", "a".repeat(3000), "b ".repeat(1000));
        let parts = split(&text, TELEGRAM_LIMIT);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], "a".repeat(3000));
        assert!(parts[1].starts_with('b'));
    }

    #[test]
    fn without_paragraphs_the_cut_falls_between_words() {
        let text = "word ".repeat(2000);
        let parts = split(&text, TELEGRAM_LIMIT);
        assert!(parts.len() >= 3);
        for part in &parts {
            assert!(part.chars().count() <= TELEGRAM_LIMIT);
            assert!(part.starts_with("word") && part.ends_with("word"), "{part}");
        }
        assert_eq!(parts.join(" "), text.trim());
    }

    #[test]
    fn a_word_longer_than_the_limit_is_cut_hard_on_a_character() {
        let text = "é".repeat(10);
        assert_eq!(split(&text, 4), vec!["éééé", "éééé", "éé"]);
    }
}
