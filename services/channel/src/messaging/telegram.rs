//! Telegram updates as this service reads them: a new text message (a question), `/start` (a
//! greeting), `/coach` (ask for the human coach), and everything else (edited messages, photos, joins…), acknowledged and ignored.

use serde::Deserialize;

/// What an update asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// A text message in `chat`.
    Text {
        /// The update's id, unique per bot.
        update_id: i64,
        /// The chat id, as text.
        chat: String,
        /// The message.
        text: String,
    },
    /// `/start` in `chat`.
    Start {
        /// The update's id.
        update_id: i64,
        /// The chat id, as text.
        chat: String,
    },
    /// `/coach` in `chat`: the client asks for their human coach.
    Coach {
        /// The update's id.
        update_id: i64,
        /// The chat id, as text.
        chat: String,
    },
    /// Nothing to answer.
    Ignored,
}

/// The reply to `/start`.
pub const GREETING: &str =
    "Hello! I'm your AI coach. Ask me anything, and I'll answer from your coach's material.";

#[derive(Deserialize)]
struct Raw {
    update_id: i64,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    chat: Chat,
    text: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    id: i64,
}

/// The update in `body`; `None` when it is not a Telegram update at all.
pub fn parse(body: &[u8]) -> Option<Update> {
    let raw: Raw = serde_json::from_slice(body).ok()?;
    let Some(Message {
        chat,
        text: Some(text),
    }) = raw.message
    else {
        return Some(Update::Ignored);
    };
    let chat = chat.id.to_string();
    let command = text.split_whitespace().next().unwrap_or_default();
    if command == "/start" || command.starts_with("/start@") {
        return Some(Update::Start {
            update_id: raw.update_id,
            chat,
        });
    }
    if command == "/coach" || command.starts_with("/coach@") {
        return Some(Update::Coach {
            update_id: raw.update_id,
            chat,
        });
    }
    if text.trim().is_empty() {
        return Some(Update::Ignored);
    }
    Some(Update::Text {
        update_id: raw.update_id,
        chat,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_message_is_a_question_of_its_chat() {
        let body = br#"{"update_id":7,"message":{"message_id":1,"chat":{"id":-42,"type":"private"},"text":"How do I sleep?"}}"#;
        assert_eq!(
            parse(body),
            Some(Update::Text {
                update_id: 7,
                chat: "-42".into(),
                text: "How do I sleep?".into()
            })
        );
    }

    #[test]
    fn start_is_a_greeting_even_with_a_payload_or_bot_name() {
        for text in ["/start", "/start ref123", "/start@CoachBot"] {
            let body =
                format!(r#"{{"update_id":1,"message":{{"chat":{{"id":5}},"text":"{text}"}}}}"#);
            assert!(
                matches!(parse(body.as_bytes()), Some(Update::Start { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn coach_asks_for_the_human_coach_even_with_a_bot_name() {
        for text in ["/coach", "/coach please", "/coach@CoachBot"] {
            let body =
                format!(r#"{{"update_id":1,"message":{{"chat":{{"id":5}},"text":"{text}"}}}}"#);
            assert_eq!(
                parse(body.as_bytes()),
                Some(Update::Coach {
                    update_id: 1,
                    chat: "5".into()
                }),
                "{text}"
            );
        }
        let question = br#"{"update_id":2,"message":{"chat":{"id":5},"text":"/coaching tips?"}}"#;
        assert!(matches!(parse(question), Some(Update::Text { .. })));
    }

    #[test]
    fn edits_photos_and_other_updates_are_ignored() {
        let edited = br#"{"update_id":2,"edited_message":{"chat":{"id":5},"text":"x"}}"#;
        let photo = br#"{"update_id":3,"message":{"chat":{"id":5},"photo":[]}}"#;
        assert_eq!(parse(edited), Some(Update::Ignored));
        assert_eq!(parse(photo), Some(Update::Ignored));
        assert_eq!(parse(b"not json"), None);
    }
}
