//! The creator's settings a chat needs, read in the creator's transaction through the common
//! cache (kept 30 s: a change made in the Creator Hub applies within that): the names clients
//! see, the models, the chat rate limit (`quotas.requests_per_minute`, 60 when unset) and the
//! topics the AI hands to the human coach (`persona.escalation_topics`).

use std::time::Duration;

use coachai_common::AppError;
use coachai_common::cache::Cache;
use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use serde::{Deserialize, Serialize};

/// Requests per minute when the creator's quotas do not say.
pub const DEFAULT_REQUESTS_PER_MINUTE: u32 = 60;

/// What a chat reads of its creator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ChatSettings {
    /// Shown to clients.
    pub display_name: String,
    /// The AI coach's name, when the persona gives one.
    pub coach_name: Option<String>,
    /// The model that answers.
    pub chat_model: String,
    /// The model that embeds the question (the same that embedded the content).
    pub embedding_model: String,
    /// Chat requests allowed per minute.
    pub requests_per_minute: i32,
    /// Topics the AI does not answer itself (see [`super::escalation`]).
    #[serde(default)]
    pub escalation_topics: Vec<String>,
}

impl ChatSettings {
    /// The name the coach answers as.
    pub fn coach(&self) -> &str {
        self.coach_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.display_name)
    }
}

/// How long the settings are kept in the cache.
pub const SETTINGS_TTL: Duration = Duration::from_secs(30);

/// The settings of `creator`, through `cache` (a miss reads them in a short transaction of
/// its own).
pub async fn cached(db: &Db, cache: &Cache, creator: CreatorId) -> Result<ChatSettings, AppError> {
    cache
        .get_or_load(creator, "chat-settings", SETTINGS_TTL, || async {
            let mut tx = db.begin_for(creator).await?;
            let settings = read(&mut tx).await?;
            tx.commit().await?;
            Ok(settings)
        })
        .await
}

/// The settings of the transaction's creator, read now.
pub async fn read(tx: &mut TenantTx) -> Result<ChatSettings, AppError> {
    let creator = tx.creator();
    let settings = sqlx::query_as(
        "SELECT display_name, persona ->> 'coach_name' AS coach_name, chat_model, embedding_model,
                CASE WHEN jsonb_typeof(quotas -> 'requests_per_minute') = 'number'
                     THEN least(greatest((quotas ->> 'requests_per_minute')::numeric, 1), 100000)::int
                     ELSE $2 END AS requests_per_minute,
                ARRAY(SELECT jsonb_array_elements_text(
                    CASE WHEN jsonb_typeof(persona -> 'escalation_topics') = 'array'
                         THEN persona -> 'escalation_topics' ELSE '[]'::jsonb END))
                    AS escalation_topics
           FROM creators WHERE id = $1",
    )
    .bind(creator.0)
    .bind(DEFAULT_REQUESTS_PER_MINUTE as i32)
    .fetch_one(tx.conn())
    .await?;
    Ok(settings)
}
