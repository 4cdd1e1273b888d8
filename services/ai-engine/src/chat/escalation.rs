//! Which messages the AI must not answer itself: those naming one of the creator's
//! `persona.escalation_topics`, or a phrase of [`SAFETY_PHRASES`] (a risk to the client's life
//! or health). Matching is case-insensitive, on word boundaries, with runs of whitespace read as
//! one space ("Chest  Pain!" matches "chest pain"; "painting" does not match "pain"). Pure: the
//! chat path decides with it before anything is retrieved or generated.

/// The built-in safety list, the one place it is kept: phrases that always reach the coach and
/// get the holding reply with the pointer to emergency services, whatever the creator configured.
pub const SAFETY_PHRASES: &[&str] = &[
    "suicide",
    "suicidal",
    "kill myself",
    "end my life",
    "want to die",
    "self-harm",
    "self harm",
    "hurt myself",
    "cutting myself",
    "overdose",
    "medical emergency",
    "chest pain",
    "heart attack",
    "can't breathe",
    "cannot breathe",
    "stroke",
    "unconscious",
    "seizure",
    "severe bleeding",
];

/// Why a message is held for the coach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    /// True when a phrase of the safety list matched (the reply points to emergency services).
    pub safety: bool,
    /// The topic or phrase that matched, as configured.
    pub matched: String,
}

/// The first reason `message` must go to the coach: the safety list first, then the creator's
/// `topics` (blank topics are ignored); `None` when the AI may answer.
pub fn screen(message: &str, topics: &[String]) -> Option<Escalation> {
    let text = normalise(message);
    let hit = |phrase: &str| {
        let phrase = normalise(phrase);
        !phrase.is_empty() && contains_words(&text, &phrase)
    };
    if let Some(phrase) = SAFETY_PHRASES.iter().find(|p| hit(p)) {
        return Some(Escalation {
            safety: true,
            matched: (*phrase).to_owned(),
        });
    }
    topics.iter().find(|t| hit(t)).map(|topic| Escalation {
        safety: false,
        matched: topic.trim().to_owned(),
    })
}

/// The holding reply the client gets instead of an answer, naming `coach`.
pub fn holding_reply(coach: &str, escalation: &Escalation) -> String {
    let mut reply = format!(
        "Thank you for telling me. This is something {coach} should answer personally; \
         I've let them know, and they will reply here."
    );
    if escalation.safety {
        reply.push_str(
            " If you are in danger or this is an emergency, call your local emergency number \
             (112 in Europe, 911 in North America) or go to the nearest emergency department now.",
        );
    }
    reply
}

/// Lower case, whitespace runs as one space, trimmed.
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `phrase` occurs in `text` with no letter or digit right before or after it.
fn contains_words(text: &str, phrase: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        boundary(before) && boundary(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topics(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn safety_phrases_match_in_any_case_and_spacing() {
        let hit = screen("I have   CHEST pain since this morning", &[]).unwrap();
        assert!(hit.safety);
        assert_eq!(hit.matched, "chest pain");
        assert!(
            screen("Sometimes I think about suicide.", &[])
                .unwrap()
                .safety
        );
    }

    #[test]
    fn a_phrase_inside_a_longer_word_does_not_match() {
        assert_eq!(screen("Is a strokeplay drill good for golf?", &[]), None);
        assert_eq!(screen("My painting class", &topics(&["pain"])), None);
    }

    #[test]
    fn the_creators_topics_match_on_word_boundaries_and_blank_topics_never_do() {
        let hit = screen("Can I train while pregnant?", &topics(&["  ", "Pregnant"])).unwrap();
        assert!(!hit.safety);
        assert_eq!(hit.matched, "Pregnant");
        assert_eq!(screen("How many squats?", &topics(&["", " "])), None);
    }

    #[test]
    fn the_safety_list_wins_over_a_topic_and_its_reply_points_to_emergency_services() {
        let hit = screen("chest pain while pregnant", &topics(&["pregnant"])).unwrap();
        assert!(hit.safety);
        let reply = holding_reply("Coach Dee", &hit);
        assert!(
            reply.contains("Coach Dee should answer personally"),
            "{reply}"
        );
        assert!(reply.contains("emergency number"), "{reply}");
        let topic = screen("pregnant", &topics(&["pregnant"])).unwrap();
        assert!(!holding_reply("Dee", &topic).contains("emergency"));
    }

    #[test]
    fn ordinary_questions_pass() {
        assert_eq!(
            screen("How should I breathe during a swing?", &topics(&["injury"])),
            None
        );
    }
}
