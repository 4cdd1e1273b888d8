//! The client message ids a connection sent recently (the last [`DEDUP_CAPACITY`], least
//! recently seen forgotten first), so a repeated id is acknowledged again, in the conversation
//! its first copy went to, but answered once. Hand-written: a few hundred UUIDs in a ring
//! scanned linearly cost less than a hash map and a linked list, and need no crate.

use std::collections::VecDeque;

use uuid::Uuid;

/// How many recent client ids a connection remembers.
pub const DEDUP_CAPACITY: usize = 256;

/// Whether a client message id was seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// First time: store and answer the message.
    New,
    /// Seen before: acknowledge it again (in `conversation_id`, once known) and do not answer.
    Repeat {
        /// The conversation the first copy went to; `None` while it is not yet known.
        conversation_id: Option<Uuid>,
    },
}

/// A bounded, least-recently-used set of client message ids.
#[derive(Debug, Clone)]
pub struct Dedup {
    capacity: usize,
    /// Most recently seen last.
    recent: VecDeque<(Uuid, Option<Uuid>)>,
}

impl Dedup {
    /// A set that remembers the last `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            recent: VecDeque::with_capacity(capacity),
        }
    }

    /// Records `id` as just seen and says whether it was seen before; a repeat becomes the most
    /// recently seen again, so a client retrying one message keeps it remembered.
    pub fn observe(&mut self, id: Uuid) -> Seen {
        if let Some(at) = self.position(id) {
            let entry = self.recent.remove(at);
            let conversation_id = entry.and_then(|(_, conversation)| conversation);
            self.recent.push_back((id, conversation_id));
            return Seen::Repeat { conversation_id };
        }
        if self.recent.len() == self.capacity {
            self.recent.pop_front();
        }
        self.recent.push_back((id, None));
        Seen::New
    }

    /// Records the conversation message `id` went to (once the server knows it, for a message
    /// that started one); does nothing for an id no longer remembered.
    pub fn assign(&mut self, id: Uuid, conversation_id: Uuid) {
        if let Some(at) = self.position(id)
            && let Some(entry) = self.recent.get_mut(at)
        {
            entry.1 = Some(conversation_id);
        }
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.recent.len()
    }

    /// True when no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    fn position(&self, id: Uuid) -> Option<usize> {
        self.recent.iter().position(|(seen, _)| *seen == id)
    }
}

impl Default for Dedup {
    fn default() -> Self {
        Self::new(DEDUP_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_first_id_is_new_and_the_same_id_again_is_a_repeat() {
        let mut dedup = Dedup::default();
        assert_eq!(dedup.observe(id(1)), Seen::New);
        assert_eq!(
            dedup.observe(id(1)),
            Seen::Repeat {
                conversation_id: None
            }
        );
        assert_eq!(dedup.observe(id(2)), Seen::New);
        assert_eq!(dedup.len(), 2);
    }

    #[test]
    fn a_repeat_says_which_conversation_its_first_copy_went_to() {
        let mut dedup = Dedup::default();
        dedup.observe(id(1));
        dedup.assign(id(1), id(100));
        assert_eq!(
            dedup.observe(id(1)),
            Seen::Repeat {
                conversation_id: Some(id(100))
            }
        );
        assert_eq!(
            dedup.observe(id(1)),
            Seen::Repeat {
                conversation_id: Some(id(100))
            }
        );
    }

    #[test]
    fn the_least_recently_seen_id_is_forgotten_beyond_the_capacity() {
        let mut dedup = Dedup::new(2);
        dedup.observe(id(1));
        dedup.observe(id(2));
        dedup.observe(id(3));
        assert_eq!(dedup.len(), 2);
        assert_eq!(dedup.observe(id(1)), Seen::New);
    }

    #[test]
    fn repeating_an_id_keeps_it_remembered_over_newer_ones() {
        let mut dedup = Dedup::new(2);
        dedup.observe(id(1));
        dedup.observe(id(2));
        dedup.observe(id(1));
        dedup.observe(id(3));
        assert!(matches!(dedup.observe(id(1)), Seen::Repeat { .. }));
        assert_eq!(dedup.observe(id(2)), Seen::New);
    }

    #[test]
    fn the_default_remembers_the_last_256_ids() {
        let mut dedup = Dedup::default();
        for n in 0..=256 {
            dedup.observe(id(n));
        }
        assert_eq!(dedup.len(), DEDUP_CAPACITY);
        assert_eq!(dedup.observe(id(0)), Seen::New);
        assert!(matches!(dedup.observe(id(256)), Seen::Repeat { .. }));
    }

    #[test]
    fn assigning_a_forgotten_id_changes_nothing() {
        let mut dedup = Dedup::new(1);
        dedup.observe(id(1));
        dedup.observe(id(2));
        dedup.assign(id(1), id(100));
        assert_eq!(
            dedup.observe(id(2)),
            Seen::Repeat {
                conversation_id: None
            }
        );
        assert!(!dedup.is_empty());
    }
}
