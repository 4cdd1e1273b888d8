//! Messaging channels (contract: `docs/03-api-specifications/channel-messaging.md`): a
//! creator's Telegram bots and signed webhooks, configured over REST; inbound messages stored
//! (deduplicated) before they are acknowledged, answered asynchronously by the AI Engine with
//! the integration's own API key, and replies delivered from a transactional outbox by a worker
//! with retries, a circuit breaker per destination and a dead-letter state.

pub mod backoff;
pub mod breaker;
mod coach;
pub mod crypto;
mod deliver;
mod deliveries;
mod error;
mod inbound;
mod inbound_admin;
mod integrations;
pub mod outbox;
mod process;
mod routes;
pub mod signing;
pub mod split;
mod store;
mod telegram;
mod workers;

use std::sync::Arc;
use std::time::Duration;

use coachai_common::redis_pool;
use coachai_common::state::CoreState;
use deadpool_redis::Pool;

pub use error::MessagingError;
pub use process::APOLOGY;
pub use routes::api;

use crate::answer::AiEngine;
use crate::settings::ChannelSettings;
use backoff::Backoff;
use breaker::Breakers;
use crypto::SecretBox;

/// Everything the messaging routes and workers of this process share.
pub struct Messaging {
    core: CoreState,
    settings: ChannelSettings,
    secrets: Option<SecretBox>,
    redis: Option<Pool>,
    engine: AiEngine,
    http: reqwest::Client,
    breakers: Breakers,
}

impl Messaging {
    /// The shared parts; an unusable `CHANNEL_SECRETS_KEY` is logged and messaging answers 503.
    pub fn new(settings: ChannelSettings, core: CoreState, redis_url: &str) -> Self {
        let secrets = match SecretBox::from_base64(&settings.channel_secrets_key) {
            Ok(secrets) => Some(secrets),
            Err(e) => {
                tracing::warn!(error = %e, "messaging channels disabled");
                None
            }
        };
        let timeout = Duration::from_millis(settings.channel_delivery_timeout_ms);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .build()
            .unwrap_or_default();
        Self {
            redis: redis_pool::bounded(redis_url, 8, Duration::from_secs(2), "webhook replay"),
            engine: AiEngine::new(&settings.ai_engine_url),
            breakers: Breakers::new(Duration::from_millis(settings.channel_breaker_cooldown_ms)),
            core,
            secrets,
            http,
            settings,
        }
    }

    /// Starts the inbound and delivery workers of this process (when secrets can be opened).
    pub fn start(self: &Arc<Self>) {
        if self.secrets.is_some() {
            workers::spawn(self.clone());
        }
    }

    fn secrets(&self) -> Result<&SecretBox, MessagingError> {
        self.secrets.as_ref().ok_or(MessagingError::NotConfigured)
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: Duration::from_millis(self.settings.channel_retry_base_ms),
            max: Duration::from_millis(self.settings.channel_retry_max_ms),
            max_attempts: self.settings.channel_max_attempts,
        }
    }

    /// The schedule of inbound answers: the deliveries' delays, its own number of attempts.
    fn inbound_backoff(&self) -> Backoff {
        Backoff {
            max_attempts: self.settings.channel_inbound_max_attempts,
            ..self.backoff()
        }
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.settings.channel_lease_ms).unwrap_or(i64::MAX)
    }
}
