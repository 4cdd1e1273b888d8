//! Retrieved passages and what an answer shows of them: a human label of the location, a
//! snippet, the `sources` of the `done` event, and the extractive answer given when the model
//! cannot answer (worded as such, built only from the passages).

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// Longest snippet in a source, in characters.
pub const SNIPPET_CHARS: usize = 240;

/// A chunk retrieved for a question, from the creator's live content.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// The chunk.
    pub chunk_id: Uuid,
    /// Its content item.
    pub content_id: Uuid,
    /// The item's title.
    pub title: String,
    /// `{page}`, `{heading_path}` or `{start, end}`.
    pub location: Value,
    /// The chunk's text.
    pub text: String,
    /// Relevance: cosine similarity, or a rank-based score for full-text hits.
    pub score: f32,
}

/// A passage as the answer cites it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"content_id": "0195f3a2-7c1e-7b40-9a51-4d2f8e6c1a03",
    "title": "Kettlebell basics", "location": {"page": 2}, "score": 0.66,
    "snippet": "Exhale at the top of every swing."}))]
pub struct Source {
    /// The content item.
    pub content_id: Uuid,
    /// Its title.
    pub title: String,
    /// Where in the item.
    #[schema(value_type = Object)]
    pub location: Value,
    /// Relevance, higher is better.
    pub score: f32,
    /// The start of the passage.
    pub snippet: String,
}

impl From<&Passage> for Source {
    fn from(p: &Passage) -> Self {
        Self {
            content_id: p.content_id,
            title: p.title.clone(),
            location: p.location.clone(),
            score: p.score,
            snippet: snippet(&p.text, SNIPPET_CHARS),
        }
    }
}

/// "page 3", "Warm-up › Hips", "00:14:05–00:14:30", or "" when the location says nothing.
pub fn location_label(location: &Value) -> String {
    if let Some(page) = location.get("page").and_then(Value::as_u64) {
        return format!("page {page}");
    }
    if let Some(path) = location.get("heading_path").and_then(Value::as_array) {
        let parts: Vec<&str> = path.iter().filter_map(Value::as_str).collect();
        return parts.join(" › ");
    }
    match (
        location.get("start").and_then(Value::as_str),
        location.get("end").and_then(Value::as_str),
    ) {
        (Some(start), Some(end)) => format!("{start}–{end}"),
        _ => String::new(),
    }
}

/// At most `max` characters of `text`, cut at a word boundary with "…" when shortened.
pub fn snippet(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end())
}

/// The answer given without the model: says so, then quotes the best passages with their
/// titles and locations; or says that the material has nothing on the question.
pub fn extractive_answer(coach: &str, passages: &[Passage]) -> String {
    if passages.is_empty() {
        return format!(
            "{coach}'s AI coach cannot answer right now, and {coach}'s material has nothing \
             that matches your question. Please try again in a little while."
        );
    }
    let mut answer = format!(
        "{coach}'s AI coach cannot write an answer right now. These passages from {coach}'s \
         material match your question:\n"
    );
    for (i, passage) in passages.iter().enumerate() {
        let label = location_label(&passage.location);
        let place = if label.is_empty() {
            passage.title.clone()
        } else {
            format!("{}, {label}", passage.title)
        };
        answer.push_str(&format!(
            "\n[{}] {place}: \"{}\"",
            i + 1,
            snippet(&passage.text, 400)
        ));
    }
    answer
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn passage(text: &str, location: Value) -> Passage {
        Passage {
            chunk_id: Uuid::nil(),
            content_id: Uuid::nil(),
            title: "Swing guide".into(),
            location,
            text: text.into(),
            score: 0.7,
        }
    }

    #[test]
    fn locations_read_as_pages_heading_paths_and_time_spans() {
        assert_eq!(location_label(&json!({"page": 3})), "page 3");
        assert_eq!(
            location_label(&json!({"heading_path": ["Warm-up", "Hips"]})),
            "Warm-up › Hips"
        );
        assert_eq!(
            location_label(&json!({"start": "00:14:05", "end": "00:14:30"})),
            "00:14:05–00:14:30"
        );
        assert_eq!(location_label(&json!({})), "");
    }

    #[test]
    fn snippets_are_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(snippet("Exhale at the top", 100), "Exhale at the top");
        assert_eq!(
            snippet("Exhale at the top of every swing", 14),
            "Exhale at the…"
        );
    }

    #[test]
    fn the_extractive_answer_says_it_is_one_and_quotes_each_passage_with_its_place() {
        let answer = extractive_answer(
            "Ana",
            &[passage(
                "Exhale at the top of every swing.",
                json!({"page": 2}),
            )],
        );
        assert!(
            answer.contains("cannot write an answer right now"),
            "{answer}"
        );
        assert!(
            answer.contains("[1] Swing guide, page 2: \"Exhale at the top of every swing.\""),
            "{answer}"
        );
        assert!(extractive_answer("Ana", &[]).contains("nothing that matches"));
    }
}
