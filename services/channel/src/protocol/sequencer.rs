//! Per-conversation `seq` numbers: the first event of a conversation is 1 and each next one is
//! one more, never repeated or reused, also after [`Sequencer::resume_after`] seeds a
//! conversation from what storage already holds. Pure: persisting the counter comes later.

use std::collections::HashMap;

use uuid::Uuid;

use super::server::{EventKind, ServerEvent};

/// Hands out each conversation's `seq` numbers.
#[derive(Debug, Clone, Default)]
pub struct Sequencer {
    last: HashMap<Uuid, u64>,
}

impl Sequencer {
    /// A sequencer that has numbered nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next `seq` of `conversation`: 1 for its first event, then one more each call.
    pub fn next(&mut self, conversation: Uuid) -> u64 {
        let last = self.last.entry(conversation).or_insert(0);
        // u64 events in one conversation cannot be reached; saturating keeps this total.
        *last = last.saturating_add(1);
        *last
    }

    /// The last `seq` handed out for `conversation` (0: none yet).
    pub fn last(&self, conversation: Uuid) -> u64 {
        self.last.get(&conversation).copied().unwrap_or(0)
    }

    /// Records that `conversation` already has events up to `seq` (read from storage), so the
    /// next one is `seq + 1`; a lower `seq` than already handed out changes nothing.
    pub fn resume_after(&mut self, conversation: Uuid, seq: u64) {
        let last = self.last.entry(conversation).or_insert(0);
        *last = (*last).max(seq);
    }

    /// `kind` as the next event of `conversation`.
    pub fn stamp(&mut self, conversation: Uuid, kind: EventKind) -> ServerEvent {
        let seq = self.next(conversation);
        ServerEvent::in_conversation(conversation, seq, kind)
    }

    /// Forgets `conversation` (its connection left it); a later event starts from whatever
    /// [`Sequencer::resume_after`] is told, else from 1.
    pub fn forget(&mut self, conversation: Uuid) {
        self.last.remove(&conversation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_conversation_is_numbered_from_one_without_gaps() {
        let mut seq = Sequencer::new();
        let a = conversation(1);
        assert_eq!((seq.next(a), seq.next(a), seq.next(a)), (1, 2, 3));
        assert_eq!(seq.last(a), 3);
    }

    #[test]
    fn each_conversation_has_its_own_numbers() {
        let mut seq = Sequencer::new();
        let (a, b) = (conversation(1), conversation(2));
        assert_eq!(seq.next(a), 1);
        assert_eq!(seq.next(a), 2);
        assert_eq!(seq.next(b), 1);
        assert_eq!(seq.last(conversation(3)), 0);
    }

    #[test]
    fn a_conversation_resumed_from_storage_continues_after_its_stored_seq() {
        let mut seq = Sequencer::new();
        let a = conversation(1);
        seq.resume_after(a, 41);
        assert_eq!(seq.next(a), 42);
    }

    #[test]
    fn resuming_from_an_older_seq_never_makes_numbers_repeat() {
        let mut seq = Sequencer::new();
        let a = conversation(1);
        seq.resume_after(a, 10);
        seq.resume_after(a, 3);
        assert_eq!(seq.next(a), 11);
    }

    #[test]
    fn a_stamped_event_carries_its_conversation_and_seq_on_the_wire() {
        let mut seq = Sequencer::new();
        let a = conversation(7);
        seq.stamp(a, EventKind::Typing);
        let event: serde_json::Value =
            serde_json::from_str(&seq.stamp(a, EventKind::Pong).to_json()).unwrap();
        assert_eq!(event["conversation_id"], a.to_string());
        assert_eq!(event["seq"], 2);
    }

    #[test]
    fn a_forgotten_conversation_starts_again_from_what_storage_says() {
        let mut seq = Sequencer::new();
        let a = conversation(1);
        seq.next(a);
        seq.forget(a);
        assert_eq!(seq.last(a), 0);
        seq.resume_after(a, 1);
        assert_eq!(seq.next(a), 2);
    }
}
