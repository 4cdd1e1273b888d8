//! Following a conversation: join the hub, send what the log holds after the last `seq` the
//! client has, then the live events — each `seq` exactly once and in order. A live event
//! that skips a `seq` (pub/sub lost one, or it raced the join) sends the log's missing part
//! first; one at or below the last `seq` sent is a duplicate and dropped.

use uuid::Uuid;

use super::connection::{Connection, Step};
use crate::hub::Delivery;
use crate::protocol::ErrorCode;

impl Connection {
    /// Follows `conversation` after `last_seq` (events up to it are the client's already).
    pub(super) async fn follow(&mut self, conversation: Uuid, last_seq: u64) -> Step {
        if self.followed.contains_key(&conversation) {
            return Step::Continue;
        }
        self.followed.insert(conversation, last_seq);
        let sink = self.lanes().sink.clone();
        let (hub, id, user) = (self.channel.hub.clone(), self.session.id, self.session.user);
        if let Err(e) = hub.join(conversation, id, user, sink).await
            && let Step::Gone = self.unavailable(&e.to_string()).await
        {
            return Step::Gone;
        }
        self.catch_up(conversation).await
    }

    /// Sends the kept events of `conversation` after the last `seq` sent.
    pub(super) async fn catch_up(&mut self, conversation: Uuid) -> Step {
        let Some(&after) = self.followed.get(&conversation) else {
            return Step::Continue;
        };
        let replay = match self
            .channel
            .log
            .replay(self.session.user, conversation, after)
            .await
        {
            Ok(replay) => replay,
            Err(e) => return self.unavailable(&e.to_string()).await,
        };
        if let Some((from, to)) = replay.gone {
            let detail = format!(
                "events {from}-{to} of conversation {conversation} are no longer kept; \
                 read it from /api/v1/ai/conversations"
            );
            if let Step::Gone = self.send_error(ErrorCode::Gone, detail).await {
                return Step::Gone;
            }
        }
        for event in replay.events {
            if let Step::Gone = self.send_text(&event.frame).await {
                return Step::Gone;
            }
            self.followed.insert(conversation, event.seq);
        }
        Step::Continue
    }

    /// Sends one delivery of the hub.
    pub(super) async fn deliver(&mut self, delivery: Delivery) -> Step {
        let (conversation, event) = match delivery {
            Delivery::Event {
                conversation,
                event,
            } => (conversation, event),
            Delivery::Resync => return self.resync().await,
        };
        let Some(&last) = self.followed.get(&conversation) else {
            return Step::Continue;
        };
        if event.owner != self.session.user || event.seq <= last {
            return Step::Continue;
        }
        if event.seq > last + 1 {
            return self.catch_up(conversation).await;
        }
        self.followed.insert(conversation, event.seq);
        self.send_text(&event.frame).await
    }

    async fn resync(&mut self) -> Step {
        let conversations: Vec<Uuid> = self.followed.keys().copied().collect();
        for conversation in conversations {
            if let Step::Gone = self.catch_up(conversation).await {
                return Step::Gone;
            }
        }
        Step::Continue
    }
}
