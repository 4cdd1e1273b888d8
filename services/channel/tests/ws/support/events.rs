//! Client frames of the protocol (docs/03-api-specifications/channel.md) and what tests read
//! off the server's events: their kind, conversation, seq, and the answer they spell.

use serde_json::{Value, json};
use uuid::Uuid;

/// A `message` frame; `conversation` `None` starts a conversation.
pub fn message(id: Uuid, conversation: Option<&str>, text: &str) -> Value {
    json!({"type": "message", "id": id, "conversation_id": conversation, "text": text})
}

/// A `resume` frame.
pub fn resume(conversation: &str, last_seq: u64) -> Value {
    json!({"type": "resume", "conversation_id": conversation, "last_seq": last_seq})
}

/// The event's `type`.
pub fn kind(event: &Value) -> &str {
    event["type"]
        .as_str()
        .unwrap_or_else(|| panic!("an event without type: {event}"))
}

/// The event's `seq`, which a conversation's event must have.
pub fn seq(event: &Value) -> u64 {
    event["seq"]
        .as_u64()
        .unwrap_or_else(|| panic!("an event without seq: {event}"))
}

/// The event's `conversation_id`, which a conversation's event must have.
pub fn conversation(event: &Value) -> String {
    let id = event["conversation_id"].as_str();
    id.unwrap_or_else(|| panic!("an event without conversation_id: {event}"))
        .to_owned()
}

/// Whether an answer ended: `done`, or an `error` of a conversation.
pub fn ends_answer(event: &Value) -> bool {
    kind(event) == "done" || (kind(event) == "error" && !event["conversation_id"].is_null())
}

/// Whether the event is an `error` with `code`.
pub fn is_error(event: &Value, code: &str) -> bool {
    kind(event) == "error" && event["code"] == code
}

/// How many of `events` are of `kind`.
pub fn count(events: &[Value], of: &str) -> usize {
    events.iter().filter(|e| kind(e) == of).count()
}

/// The answer the `token` events spell, words separated by single spaces.
pub fn answer(events: &[Value]) -> String {
    let text: String = events
        .iter()
        .filter(|e| kind(e) == "token")
        .map(|e| e["text"].as_str().unwrap_or_default())
        .collect();
    words(&text)
}

/// `text` with its words separated by single spaces.
pub fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `events` all belong to `conversation` and their seqs are `first`, `first + 1`,
/// ... without a gap or a repeat.
pub fn assert_sequence(events: &[Value], conversation_id: &str, first: u64) {
    let seqs: Vec<u64> = events.iter().map(seq).collect();
    let want: Vec<u64> = (first..first + seqs.len() as u64).collect();
    assert_eq!(seqs, want, "seqs of {events:#?}");
    for event in events {
        assert_eq!(conversation(event), conversation_id, "{event}");
    }
}

/// Asserts that `events` are one whole answer to the message `id` in a new conversation — `ack`
/// (seq 1, the client's id), `typing`, `token`s, `done` — and returns the conversation id.
pub fn assert_new_answer(events: &[Value], id: Uuid) -> String {
    let ack = &events[0];
    assert_eq!(kind(ack), "ack", "{events:#?}");
    assert_eq!(ack["id"], id.to_string(), "{ack}");
    let conversation_id = conversation(ack);
    assert_sequence(events, &conversation_id, 1);
    assert_eq!(kind(&events[1]), "typing", "{events:#?}");
    assert_eq!(kind(events.last().unwrap()), "done", "{events:#?}");
    assert_eq!(count(events, "done"), 1, "{events:#?}");
    assert!(count(events, "token") > 0, "{events:#?}");
    conversation_id
}
