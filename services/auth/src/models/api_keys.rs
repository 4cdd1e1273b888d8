//! API keys for a creator's server-to-server and channel integrations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::no_control;

/// `POST /api-keys`.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// A name to recognise the key by.
    #[garde(length(chars, min = 1, max = 100), custom(no_control))]
    pub name: String,
    /// What the key may do: any of `chat`, `content:read`, `content:write`, `admin` (which
    /// implies the others). A key with no scope can only call `GET /me`.
    #[serde(default)]
    #[garde(length(max = 4), inner(custom(scope)))]
    pub scopes: Vec<String>,
    /// Days until the key expires; never when absent.
    #[garde(inner(range(min = 1, max = 3650)))]
    pub expires_in_days: Option<u32>,
}

fn scope(value: &str, _: &()) -> garde::Result {
    value
        .parse::<coachai_common::auth::Scope>()
        .map(|_| ())
        .map_err(|unknown| garde::Error::new(unknown.to_string()))
}

/// A new key; `key` is shown only here.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyCreated {
    /// The key's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// The secret, `cak_<prefix>_<secret>`: store it now, it cannot be shown again.
    pub key: String,
    /// The public prefix that identifies the key in lists and logs.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it expires, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as listed (never the secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct ApiKeyView {
    /// The key's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Public prefix.
    pub prefix: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it expires, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (recorded at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// `GET /api-keys`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyList {
    /// Keys, newest first.
    pub api_keys: Vec<ApiKeyView>,
}
