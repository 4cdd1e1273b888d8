//! The bench's producer of events: the Channel's own [`EventLog`] on the dev stack's Redis, as
//! the answer path uses it, appending `token` events whose text is their send time.

use coachai_channel::events::EventLog;
use coachai_channel::protocol::EventKind;
use coachai_channel::settings::ChannelSettings;
use uuid::Uuid;

use crate::stack::{REDIS_URL, env_or};

/// Appends events to conversations; cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    log: EventLog,
}

impl Publisher {
    /// A publisher on `REDIS_URL` with the Channel's default retention settings.
    pub fn new() -> Self {
        let redis_url = env_or("REDIS_URL", REDIS_URL);
        Self {
            log: EventLog::new(&redis_url, &ChannelSettings::default()),
        }
    }

    /// Appends a `token` event to `conversation` of `owner` whose text is `sent_at` (the bench
    /// clock's microseconds when the append started).
    pub async fn token(&self, owner: Uuid, conversation: Uuid, sent_at: u64) -> anyhow::Result<()> {
        let kind = EventKind::Token {
            text: sent_at.to_string(),
        };
        self.log.append(owner, conversation, &kind).await?;
        Ok(())
    }
}
