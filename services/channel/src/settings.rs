//! The Channel service's own settings, read from the environment next to the shared ones:
//! where the AI Engine answers, the heartbeat and idle timeout of a WebSocket, the send queue
//! of a connection, how long and how many events of a conversation are kept for `resume`, and
//! the messaging channels' envelope key, Telegram's address and delivery schedule.

use std::time::Duration;

use coachai_common::config::{ConfigError, load};
use serde::{Deserialize, Serialize};

use crate::protocol::{HEARTBEAT_INTERVAL, IDLE_TIMEOUT, SEND_QUEUE_CAPACITY};

/// Settings of the Channel service (environment variables in upper case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelSettings {
    /// Base URL of the AI Engine (`AI_ENGINE_URL`); answers are streamed from its `/chat`.
    pub ai_engine_url: String,
    /// Seconds between the server's pings on a connection (`CHANNEL_HEARTBEAT_SECS`).
    pub channel_heartbeat_secs: u64,
    /// Seconds without any frame from the client before it is closed (`CHANNEL_IDLE_SECS`).
    pub channel_idle_secs: u64,
    /// Events that may wait for a slow client before it is closed (`CHANNEL_SEND_QUEUE`).
    pub channel_send_queue: usize,
    /// Seconds a conversation's events are kept for `resume` after its last event
    /// (`CHANNEL_RESUME_TTL_SECS`).
    pub channel_resume_ttl_secs: u64,
    /// Events kept per conversation, at least (`CHANNEL_RESUME_MAX_EVENTS`).
    pub channel_resume_max_events: u64,
    /// Base64 of the 32-byte key sealing integrations' secrets (`CHANNEL_SECRETS_KEY`); without
    /// it the messaging channels answer 503.
    pub channel_secrets_key: String,
    /// Base URL of Telegram's Bot API (`TELEGRAM_API_URL`).
    pub telegram_api_url: String,
    /// Delay before the second delivery attempt, in ms (`CHANNEL_RETRY_BASE_MS`); it doubles.
    pub channel_retry_base_ms: u64,
    /// Longest delay between attempts, in ms (`CHANNEL_RETRY_MAX_MS`).
    pub channel_retry_max_ms: u64,
    /// Attempts before a delivery is dead (`CHANNEL_MAX_ATTEMPTS`).
    pub channel_max_attempts: u32,
    /// Attempts at answering an inbound message (the AI Engine refusing or unreachable) before
    /// it is dead and its chat is told so (`CHANNEL_INBOUND_MAX_ATTEMPTS`).
    pub channel_inbound_max_attempts: u32,
    /// How long a destination may take to answer a delivery, in ms (`CHANNEL_DELIVERY_TIMEOUT_MS`).
    pub channel_delivery_timeout_ms: u64,
    /// How long a claimed row is reserved for its worker, in ms (`CHANNEL_LEASE_MS`).
    pub channel_lease_ms: u64,
    /// Longest idle wait of the workers between looks for due rows, in ms (`CHANNEL_POLL_MS`).
    pub channel_poll_ms: u64,
    /// How long a destination's open circuit breaker waits, in ms (`CHANNEL_BREAKER_COOLDOWN_MS`).
    pub channel_breaker_cooldown_ms: u64,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        Self {
            ai_engine_url: "http://127.0.0.1:8003".into(),
            channel_heartbeat_secs: HEARTBEAT_INTERVAL.as_secs(),
            channel_idle_secs: IDLE_TIMEOUT.as_secs(),
            channel_send_queue: SEND_QUEUE_CAPACITY,
            channel_resume_ttl_secs: 24 * 3600,
            channel_resume_max_events: 5_000,
            channel_secrets_key: String::new(),
            telegram_api_url: "https://api.telegram.org".into(),
            channel_retry_base_ms: 2_000,
            channel_retry_max_ms: 10 * 60 * 1000,
            channel_max_attempts: 10,
            channel_inbound_max_attempts: 8,
            channel_delivery_timeout_ms: 10_000,
            channel_lease_ms: 120_000,
            channel_poll_ms: 1_000,
            channel_breaker_cooldown_ms: 30_000,
        }
    }
}

impl ChannelSettings {
    /// The defaults overlaid with the environment; an unusable value is an error naming it.
    pub fn from_env() -> Result<Self, ConfigError> {
        let settings: Self = load()?;
        settings.validated()
    }

    /// `self` if every value can work.
    pub fn validated(self) -> Result<Self, ConfigError> {
        let url = url::Url::parse(&self.ai_engine_url)
            .map_err(|e| ConfigError::new(format!("AI_ENGINE_URL is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(ConfigError::new(
                "AI_ENGINE_URL must be an http(s) URL with a host",
            ));
        }
        if self.channel_heartbeat_secs == 0 || self.channel_idle_secs <= self.channel_heartbeat_secs
        {
            return Err(ConfigError::new(
                "CHANNEL_IDLE_SECS must be longer than CHANNEL_HEARTBEAT_SECS, which must be > 0",
            ));
        }
        if self.channel_send_queue == 0 || self.channel_resume_max_events == 0 {
            return Err(ConfigError::new(
                "CHANNEL_SEND_QUEUE and CHANNEL_RESUME_MAX_EVENTS must be at least 1",
            ));
        }
        if self.channel_max_attempts == 0
            || self.channel_inbound_max_attempts == 0
            || self.channel_retry_base_ms == 0
            || self.channel_lease_ms <= self.channel_delivery_timeout_ms
        {
            return Err(ConfigError::new(
                "CHANNEL_MAX_ATTEMPTS, CHANNEL_INBOUND_MAX_ATTEMPTS and CHANNEL_RETRY_BASE_MS must \
                 be at least 1, and \
                 CHANNEL_LEASE_MS longer than CHANNEL_DELIVERY_TIMEOUT_MS",
            ));
        }
        Ok(self)
    }

    /// The interval between pings.
    pub fn heartbeat(&self) -> Duration {
        Duration::from_secs(self.channel_heartbeat_secs)
    }

    /// The idle timeout.
    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.channel_idle_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_protocols() {
        let settings = ChannelSettings::default().validated().unwrap();
        assert_eq!(settings.heartbeat(), HEARTBEAT_INTERVAL);
        assert_eq!(settings.idle(), IDLE_TIMEOUT);
    }

    #[test]
    fn an_idle_timeout_shorter_than_the_heartbeat_is_refused() {
        let settings = ChannelSettings {
            channel_idle_secs: 5,
            channel_heartbeat_secs: 10,
            ..ChannelSettings::default()
        };
        assert!(settings.validated().is_err());
    }

    #[test]
    fn a_lease_shorter_than_the_delivery_timeout_is_refused() {
        let settings = ChannelSettings {
            channel_lease_ms: 5_000,
            channel_delivery_timeout_ms: 10_000,
            ..ChannelSettings::default()
        };
        let error = settings.validated().unwrap_err().to_string();
        assert!(error.contains("CHANNEL_LEASE_MS"), "{error}");
    }

    #[test]
    fn an_ai_engine_url_that_is_not_a_url_is_refused() {
        let settings = ChannelSettings {
            ai_engine_url: "engine:8003 please".into(),
            ..ChannelSettings::default()
        };
        let error = settings.validated().unwrap_err().to_string();
        assert!(error.contains("AI_ENGINE_URL"), "{error}");
    }
}
