//! The bench's producer of events: the Channel's own [`EventLog`] on the dev stack's Redis, as
//! the answer path uses it, appending `token` events whose text is their send time. The events
//! are kept 10 minutes rather than a day: a run appends up to a few hundred thousand of them to
//! a Redis others share.

use coachai_channel::events::EventLog;
use coachai_channel::protocol::EventKind;
use coachai_channel::settings::ChannelSettings;
use uuid::Uuid;

use crate::stack::{REDIS_URL, env_or};

/// How long the bench's events stay in Redis after a conversation's last one.
const KEPT_SECS: u64 = 600;

/// Appends events to conversations; cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    log: EventLog,
}

impl Publisher {
    /// A publisher on `REDIS_URL` whose events expire [`KEPT_SECS`] after the last one.
    pub fn new() -> Self {
        let redis_url = env_or("REDIS_URL", REDIS_URL);
        let settings = ChannelSettings {
            channel_resume_ttl_secs: KEPT_SECS,
            ..ChannelSettings::default()
        };
        Self {
            log: EventLog::new(&redis_url, &settings),
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
