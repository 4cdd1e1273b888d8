//! Integrations in PostgreSQL, always inside the creator's tenant transaction. Creating one also
//! creates its own `client` user and a `chat` API key (the credential its answers are asked
//! with), so the AI Engine treats a Telegram chat like any client; deleting it revokes the key.

use chrono::{DateTime, Utc};
use coachai_common::TenantTx;
use coachai_common::auth::API_KEY_PREFIX;
use coachai_common::auth::api_keys::key_hash;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::MessagingError;
use super::crypto::SecretBox;

/// Field names the sealed secrets are bound to.
pub const INBOUND_SECRET: &str = "inbound_secret";
/// See [`INBOUND_SECRET`].
pub const BOT_TOKEN: &str = "bot_token";
/// See [`INBOUND_SECRET`].
pub const API_KEY: &str = "api_key";

/// An integration as the API shows it: never a secret.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct IntegrationView {
    /// The integration's id, part of its inbound URL.
    pub id: Uuid,
    /// `telegram` or `webhook`.
    pub kind: String,
    /// A name for people.
    pub name: String,
    /// Where replies of a webhook integration are POSTed.
    pub url: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// What a new integration is made of, checked by the route.
#[derive(Debug, Clone)]
pub struct NewIntegration {
    /// `telegram` or `webhook`.
    pub kind: &'static str,
    /// A name for people.
    pub name: String,
    /// The reply URL (webhook).
    pub url: Option<String>,
    /// The bot token (Telegram).
    pub bot_token: Option<String>,
}

/// An integration's secrets, opened, for the workers and the inbound routes.
#[derive(Debug, Clone)]
pub struct Opened {
    /// `telegram` or `webhook`.
    pub kind: String,
    /// The reply URL (webhook).
    pub url: Option<String>,
    /// The secret inbound requests prove.
    pub inbound_secret: String,
    /// The bot token (Telegram).
    pub bot_token: Option<String>,
    /// The API key answers are asked with.
    pub api_key: String,
}

/// Stores `new` with its user and API key; returns it and its inbound secret (shown once).
pub async fn create(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    new: NewIntegration,
) -> Result<(IntegrationView, String), MessagingError> {
    let (id, user) = (Uuid::new_v4(), Uuid::new_v4());
    let creator = tx.creator().0;
    sqlx::query(
        "INSERT INTO users (id, creator_id, email, role, display_name) VALUES ($1, $2, $3, 'client', $4)",
    )
    .bind(user)
    .bind(creator)
    .bind(format!("integration+{id}@integrations.coachai.invalid"))
    .bind(format!("{} ({})", new.name, new.kind))
    .execute(tx.conn())
    .await?;
    let prefix = super::signing::hex(&rand::random::<[u8; 6]>());
    let key = format!(
        "{API_KEY_PREFIX}{prefix}_{}",
        coachai_common::secret::opaque()
    );
    let key_id: Uuid = sqlx::query_scalar(
        "INSERT INTO api_keys (creator_id, created_by, name, prefix, key_hash, scopes)
         VALUES ($1, $2, $3, $4, $5, ARRAY['chat']) RETURNING id",
    )
    .bind(creator)
    .bind(user)
    .bind(format!("integration {id}"))
    .bind(&prefix)
    .bind(key_hash(&key))
    .fetch_one(tx.conn())
    .await?;
    let inbound = inbound_secret(new.kind);
    let bot = match &new.bot_token {
        Some(token) => Some(secrets.seal(id, BOT_TOKEN, token)?),
        None => None,
    };
    let view = sqlx::query_as(
        "INSERT INTO channel_integrations
             (id, creator_id, kind, name, url, inbound_secret, bot_token, api_key, api_key_id, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING id, kind, name, url, created_at",
    )
    .bind(id)
    .bind(creator)
    .bind(new.kind)
    .bind(&new.name)
    .bind(&new.url)
    .bind(secrets.seal(id, INBOUND_SECRET, &inbound)?)
    .bind(bot)
    .bind(secrets.seal(id, API_KEY, &key)?)
    .bind(key_id)
    .bind(user)
    .fetch_one(tx.conn())
    .await?;
    Ok((view, inbound))
}

/// A new inbound secret: `whsec_…` for webhooks; Telegram's `secret_token` allows only
/// `A-Za-z0-9_-`, which base64url is.
fn inbound_secret(kind: &str) -> String {
    let secret = coachai_common::secret::opaque();
    if kind == "webhook" {
        format!("whsec_{secret}")
    } else {
        secret
    }
}

/// The tenant's integrations, newest first.
pub async fn list(tx: &mut TenantTx) -> Result<Vec<IntegrationView>, MessagingError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, url, created_at FROM channel_integrations
          ORDER BY created_at DESC, id LIMIT 500",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Integration `id`, if the tenant has it.
pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Option<IntegrationView>, MessagingError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, name, url, created_at FROM channel_integrations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?)
}

/// Deletes integration `id` (its chats, inbound messages and deliveries go with it), revokes
/// its API key and deactivates its user; `false` when the tenant has no such integration.
pub async fn delete(tx: &mut TenantTx, id: Uuid) -> Result<bool, MessagingError> {
    let found: Option<(Uuid, Uuid)> = sqlx::query_as(
        "DELETE FROM channel_integrations WHERE id = $1 RETURNING api_key_id, user_id",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((key, user)) = found else {
        return Ok(false);
    };
    sqlx::query("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .bind(key)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE users SET status = 'deactivated', updated_at = now() WHERE id = $1")
        .bind(user)
        .execute(tx.conn())
        .await?;
    Ok(true)
}

type SealedRow = (String, Option<String>, Vec<u8>, Option<Vec<u8>>, Vec<u8>);

/// Integration `id`'s secrets, opened; `None` when the tenant has no such integration.
pub async fn open(
    tx: &mut TenantTx,
    secrets: &SecretBox,
    id: Uuid,
) -> Result<Option<Opened>, MessagingError> {
    let row: Option<SealedRow> = sqlx::query_as(
        "SELECT kind, url, inbound_secret, bot_token, api_key FROM channel_integrations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    let Some((kind, url, inbound, bot, key)) = row else {
        return Ok(None);
    };
    let bot_token = match bot {
        Some(sealed) => Some(secrets.open(id, BOT_TOKEN, &sealed)?),
        None => None,
    };
    Ok(Some(Opened {
        kind,
        url,
        inbound_secret: secrets.open(id, INBOUND_SECRET, &inbound)?,
        bot_token,
        api_key: secrets.open(id, API_KEY, &key)?,
    }))
}
