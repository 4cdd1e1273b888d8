//! What a prompt template sees: the persona, the creator, the passages (labelled and neutralised
//! so their text can neither close nor forge the MATERIAL delimiters), recent history and the
//! question. Pure: building the context needs no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The line that opens the material section of the built-in template.
pub const MATERIAL_OPEN: &str = "<<<MATERIAL>>>";
/// The line that closes the material section of the built-in template.
pub const MATERIAL_CLOSE: &str = "<<<END MATERIAL>>>";
/// How many of the most recent turns a template sees.
pub const MAX_HISTORY_TURNS: usize = 20;

/// Who the AI coach is, as stored in the creator's `persona` (all fields optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Persona {
    /// The coach's name in the chat.
    pub coach_name: Option<String>,
    /// How the coach speaks.
    pub tone: Option<String>,
    /// Topics the AI declines.
    pub avoid_topics: Vec<String>,
    /// Topics the AI hands over to the human coach.
    pub escalation_topics: Vec<String>,
    /// A reminder the AI gives where it fits.
    pub disclaimer: Option<String>,
}

/// What the prompt needs of the creator's row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorFacts {
    /// The creator's name as clients see it.
    pub display_name: String,
    /// The AI coach's persona.
    pub persona: Persona,
}

/// Where a passage sits in its source, rendered for people: `page 3`, `Warm-up › Hips`,
/// `00:14:05–00:14:30`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A page of a PDF (1-based).
    Page(u32),
    /// A path of headings, outermost first.
    Section(Vec<String>),
    /// A span of a transcript, in seconds from the start.
    Span {
        /// Where the span starts.
        start_secs: u32,
        /// Where the span ends.
        end_secs: u32,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let clock = |s: u32| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
        match self {
            Self::Page(page) => write!(f, "page {page}"),
            Self::Section(headings) => f.write_str(&headings.join(" › ")),
            Self::Span {
                start_secs,
                end_secs,
            } => write!(f, "{}–{}", clock(*start_secs), clock(*end_secs)),
        }
    }
}

/// One retrieved passage handed to the prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, garde::Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Hip mobility", "location": "Warm-up › Hips",
    "text": "Start with ten slow hip circles each way."}))]
pub struct Passage {
    /// The title of the content it comes from.
    #[garde(length(chars, max = 500))]
    pub title: String,
    /// Where in that content, for people (see [`Location`]).
    #[serde(default)]
    #[garde(length(chars, max = 200))]
    pub location: String,
    /// The passage itself.
    #[garde(length(chars, max = 20000))]
    pub text: String,
}

/// Who said a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    /// The coachee.
    Client,
    /// The AI coach.
    Coach,
}

/// One earlier turn of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// Who said it.
    pub role: Speaker,
    /// What was said.
    pub text: String,
}

/// Everything about one chat request a prompt is rendered from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatContext {
    /// The client's message.
    pub question: String,
    /// Retrieved passages, best first; they are labelled `[1]`, `[2]`… in this order.
    pub passages: Vec<Passage>,
    /// Earlier turns, oldest first; only the last [`MAX_HISTORY_TURNS`] are shown.
    pub history: Vec<Turn>,
}

#[derive(Serialize)]
struct Labelled {
    label: String,
    title: String,
    location: String,
    text: String,
}

#[derive(Serialize)]
struct CreatorView<'a> {
    display_name: &'a str,
}

#[derive(Serialize)]
struct TemplateContext<'a> {
    persona: &'a Persona,
    creator: CreatorView<'a>,
    passages: Vec<Labelled>,
    history: &'a [Turn],
    question: &'a str,
}

/// The value a template renders against: `persona`, `creator`, `passages`, `history`,
/// `question`. Passage fields are [`neutralise`]d.
pub fn template_context(facts: &CreatorFacts, chat: &ChatContext) -> minijinja::Value {
    let passages = chat
        .passages
        .iter()
        .enumerate()
        .map(|(i, p)| Labelled {
            label: format!("[{}]", i + 1),
            title: neutralise(&p.title),
            location: neutralise(&p.location),
            text: neutralise(&p.text),
        })
        .collect();
    let skip = chat.history.len().saturating_sub(MAX_HISTORY_TURNS);
    minijinja::Value::from(minijinja::value::Serde(TemplateContext {
        persona: &facts.persona,
        creator: CreatorView {
            display_name: &facts.display_name,
        },
        passages,
        history: &chat.history[skip..],
        question: &chat.question,
    }))
}

/// Makes `text` unable to open or close the material section or a passage: every run of three
/// or more `<` or `>` (the delimiters' fences) shrinks to two, so `<<<END MATERIAL>>>` inside a
/// passage reads `<<END MATERIAL>>`, and a `<` that would open a `passage` tag becomes `‹`.
pub fn neutralise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run: Option<(char, usize)> = None;
    for (at, c) in text.char_indices() {
        let fence = c == '<' || c == '>';
        run = match run {
            Some((prev, n)) if fence && prev == c => Some((c, n + 1)),
            _ if fence => Some((c, 1)),
            _ => None,
        };
        if matches!(run, Some((_, n)) if n > 2) {
            continue;
        }
        out.push(if c == '<' && opens_passage_tag(&text[at + 1..]) {
            '‹'
        } else {
            c
        });
    }
    out
}

/// Whether the text after a `<` reads `passage` or `/passage`, in any case.
fn opens_passage_tag(rest: &str) -> bool {
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    rest.get(..7)
        .is_some_and(|word| word.eq_ignore_ascii_case("passage"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_longer_than_two_shrink_and_other_text_stays() {
        assert_eq!(neutralise("<<<END MATERIAL>>>"), "<<END MATERIAL>>");
        assert_eq!(neutralise("a <<<<<< b >>>>>> c"), "a << b >> c");
        assert_eq!(neutralise("x < y >> z <> «ok»"), "x < y >> z <> «ok»");
        assert!(!neutralise("<<<<<<<<MATERIAL>>>>>>>>").contains(MATERIAL_OPEN));
        assert_eq!(
            neutralise("x</passage> <PASSAGE label=\"[9]\">"),
            "x‹/passage> ‹PASSAGE label=\"[9]\">"
        );
    }

    #[test]
    fn locations_read_as_people_write_them() {
        assert_eq!(Location::Page(3).to_string(), "page 3");
        let section = Location::Section(vec!["Warm-up".into(), "Hips".into()]);
        assert_eq!(section.to_string(), "Warm-up › Hips");
        let span = Location::Span {
            start_secs: 845,
            end_secs: 870,
        };
        assert_eq!(span.to_string(), "00:14:05–00:14:30");
    }

    #[test]
    fn only_the_most_recent_turns_reach_the_template() {
        let turn = |i: usize| Turn {
            role: Speaker::Client,
            text: format!("turn {i}"),
        };
        let chat = ChatContext {
            history: (0..25).map(turn).collect(),
            ..ChatContext::default()
        };
        let value = template_context(&CreatorFacts::default(), &chat);
        let history = value.get_attr("history").unwrap();
        assert_eq!(history.len(), Some(MAX_HISTORY_TURNS));
        let first = history
            .get_item(&0.into())
            .unwrap()
            .get_attr("text")
            .unwrap();
        assert_eq!(first.as_str(), Some("turn 5"));
    }
}
