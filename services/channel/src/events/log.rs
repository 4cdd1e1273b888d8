//! The event log in Redis: per conversation a `seq` counter and a stream of frames
//! (`chan:{<id>}:seq`, `chan:{<id>}:ev`, one hash slot), and a pub/sub channel.

use std::sync::Arc;
use std::time::Duration;

use coachai_common::redis_pool;
use deadpool_redis::Pool;
use redis::Script;
use uuid::Uuid;

use super::wire::{Published, channel_name};
use crate::protocol::EventKind;
use crate::settings::ChannelSettings;

/// Appends one event: next `seq`, the frame (the kind's JSON with the conversation and `seq`
/// in front, as `ServerEvent` serialises), the stream entry `<seq>-1`, the expiries, the
/// publication. Returns the `seq`.
const APPEND: &str = r#"
local seq = redis.call('INCR', KEYS[1])
local frame = '{"conversation_id":"' .. ARGV[1] .. '","seq":' .. seq .. ',' .. string.sub(ARGV[3], 2)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-1', 'o', ARGV[2], 'f', frame)
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[7], ARGV[2] .. ' ' .. seq .. ' ' .. frame)
return seq
"#;

/// How long a Redis command may wait for a connection and an answer.
const OP_TIMEOUT: Duration = Duration::from_secs(2);
/// The `seq` counter outlives the events, so a conversation never reuses a `seq`.
const SEQ_TTL_SECS: u64 = 90 * 24 * 3600;

/// Why the log could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// Redis is unreachable or answered with an error.
    #[error("the event log (Redis) is unavailable: {0}")]
    Unavailable(String),
}

impl From<redis::RedisError> for LogError {
    fn from(e: redis::RedisError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<deadpool_redis::PoolError> for LogError {
    fn from(e: deadpool_redis::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// The events a client missed, read for `resume`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The kept events after the asked `seq`, in order.
    pub events: Vec<Published>,
    /// The first `seq`s after the asked one that are no longer kept (`from..=to`), if any.
    pub gone: Option<(u64, u64)>,
}

/// The conversations' events in Redis; cheap to clone.
#[derive(Clone)]
pub struct EventLog {
    pool: Option<Pool>,
    append: Arc<Script>,
    ttl_secs: u64,
    max_events: u64,
}

impl EventLog {
    /// A log on the Redis at `redis_url` (connections are opened when first needed).
    pub fn new(redis_url: &str, settings: &ChannelSettings) -> Self {
        Self {
            pool: redis_pool::bounded(redis_url, 32, OP_TIMEOUT, "the event log"),
            append: Arc::new(Script::new(APPEND)),
            ttl_secs: settings.channel_resume_ttl_secs,
            max_events: settings.channel_resume_max_events,
        }
    }

    pub(super) async fn connection(&self) -> Result<deadpool_redis::Connection, LogError> {
        let pool = self
            .pool
            .as_ref()
            .ok_or_else(|| LogError::Unavailable("REDIS_URL is not a Redis URL".into()))?;
        Ok(pool.get().await?)
    }

    /// Gives `kind` the next `seq` of `conversation` (owned by `owner`), keeps and publishes it.
    pub async fn append(
        &self,
        owner: Uuid,
        conversation: Uuid,
        kind: &EventKind,
    ) -> Result<Published, LogError> {
        let body = serde_json::to_string(kind)
            .map_err(|e| LogError::Unavailable(format!("event not encodable: {e}")))?;
        let mut conn = self.connection().await?;
        let seq: u64 = self
            .append
            .key(seq_key(conversation))
            .key(events_key(conversation))
            .arg(conversation.to_string())
            .arg(owner.to_string())
            .arg(&body)
            .arg(self.max_events)
            .arg(self.ttl_secs)
            .arg(SEQ_TTL_SECS.max(self.ttl_secs))
            .arg(channel_name(conversation))
            .invoke_async(&mut *conn)
            .await?;
        let frame = format!(
            r#"{{"conversation_id":"{conversation}","seq":{seq},{}"#,
            &body[1..]
        );
        Ok(Published {
            owner,
            seq,
            frame: Arc::from(frame),
        })
    }

    /// The kept events of `conversation` owned by `owner` with a `seq` above `after`.
    pub async fn replay(
        &self,
        owner: Uuid,
        conversation: Uuid,
        after: u64,
    ) -> Result<Replay, LogError> {
        let mut conn = self.connection().await?;
        let (last, entries): (Option<u64>, Vec<(String, Vec<String>)>) = redis::pipe()
            .atomic()
            .get(seq_key(conversation))
            .cmd("XRANGE")
            .arg(events_key(conversation))
            .arg(format!("{}-0", after.saturating_add(1)))
            .arg("+")
            .query_async(&mut *conn)
            .await?;
        let events: Vec<Published> = entries
            .into_iter()
            .filter_map(|(id, fields)| entry(&id, &fields))
            .filter(|event| event.owner == owner)
            .collect();
        let next_kept = events.first().map_or(last.unwrap_or(0) + 1, |e| e.seq);
        let gone = (next_kept > after + 1).then(|| (after + 1, next_kept - 1));
        Ok(Replay { events, gone })
    }
}

/// One stream entry (`<seq>-1`, fields `o` and `f`) as a published event.
fn entry(id: &str, fields: &[String]) -> Option<Published> {
    let seq = id.split_once('-')?.0.parse().ok()?;
    let mut owner = None;
    let mut frame = None;
    for pair in fields.chunks(2) {
        match pair {
            [name, value] if name == "o" => owner = Uuid::parse_str(value).ok(),
            [name, value] if name == "f" => frame = Some(Arc::from(value.as_str())),
            _ => {}
        }
    }
    Some(Published {
        owner: owner?,
        seq,
        frame: frame?,
    })
}

fn seq_key(conversation: Uuid) -> String {
    format!("chan:{{{conversation}}}:seq")
}

fn events_key(conversation: Uuid) -> String {
    format!("chan:{{{conversation}}}:ev")
}
