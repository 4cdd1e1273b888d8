//! How an event travels on the pub/sub channel of its conversation: `<owner> <seq> <frame>`,
//! the owner's user id and the `seq` first so a replica routes the event without parsing JSON.

use std::sync::Arc;

use uuid::Uuid;

/// The pub/sub channel of `conversation`'s events.
pub fn channel_name(conversation: Uuid) -> String {
    format!("chan:ev:{conversation}")
}

/// The conversation a pub/sub channel name belongs to.
pub fn conversation_of_channel(name: &str) -> Option<Uuid> {
    name.strip_prefix("chan:ev:")
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// One event of a conversation as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The user the conversation belongs to; only their connections receive it.
    pub owner: Uuid,
    /// The event's place in the conversation.
    pub seq: u64,
    /// The JSON text frame, as clients receive it.
    pub frame: Arc<str>,
}

impl Published {
    /// Parses a published payload; `None` for anything not written by [`super::EventLog`].
    pub fn parse(payload: &str) -> Option<Self> {
        let (owner, rest) = payload.split_once(' ')?;
        let (seq, frame) = rest.split_once(' ')?;
        Some(Self {
            owner: Uuid::parse_str(owner).ok()?,
            seq: seq.parse().ok()?,
            frame: Arc::from(frame),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_splits_into_owner_seq_and_frame() {
        let owner = Uuid::new_v4();
        let payload = format!(r#"{owner} 12 {{"type":"token","text":"a b"}}"#);
        let event = Published::parse(&payload).unwrap();
        assert_eq!(event.owner, owner);
        assert_eq!(event.seq, 12);
        assert_eq!(&*event.frame, r#"{"type":"token","text":"a b"}"#);
    }

    #[test]
    fn foreign_payloads_are_ignored() {
        assert_eq!(Published::parse("hello"), None);
        assert_eq!(Published::parse("not-a-uuid 1 {}"), None);
        let owner = Uuid::new_v4();
        assert_eq!(Published::parse(&format!("{owner} x {{}}")), None);
    }

    #[test]
    fn channel_names_round_trip() {
        let id = Uuid::new_v4();
        assert_eq!(conversation_of_channel(&channel_name(id)), Some(id));
        assert_eq!(conversation_of_channel("other:channel"), None);
    }
}
