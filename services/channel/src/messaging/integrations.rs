//! `GET|POST /{creator_id}/integrations`, `GET|DELETE /{creator_id}/integrations/{id}`: the
//! owner or an admin of the creator configures its channels. A creator id other than the
//! caller's is 404 (nothing about other tenants is revealed); a coach or client is 403.

use std::sync::Arc;

use axum::Extension;
use axum::extract::Path;
use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::Tenant;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::store::{self, IntegrationView, NewIntegration};
use super::{Messaging, MessagingError};

/// A new integration.
#[derive(Debug, Deserialize, ToSchema, garde::Validate)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[schema(example = json!({"kind": "telegram", "name": "Coach bot", "bot_token": "123456:ABC-def"}))]
pub enum CreateIntegration {
    /// A Telegram bot: its token from @BotFather.
    Telegram {
        /// A name for people.
        #[garde(length(chars, min = 1, max = 100))]
        name: String,
        /// The bot token, `<digits>:<secret>`; stored sealed, never shown again.
        #[garde(length(min = 3, max = 200))]
        bot_token: String,
    },
    /// A signed webhook: replies are POSTed to `url`.
    Webhook {
        /// A name for people.
        #[garde(length(chars, min = 1, max = 100))]
        name: String,
        /// The https (or http) URL replies are POSTed to.
        #[garde(length(min = 8, max = 2000))]
        url: String,
    },
}

/// The created integration and its inbound secret, shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedIntegration {
    /// The integration.
    pub integration: IntegrationView,
    /// Webhook: the signing secret of both directions. Telegram: the `secret_token` to pass
    /// to `setWebhook`.
    pub secret: String,
    /// The path inbound requests are sent to.
    pub inbound_path: String,
}

/// Fails unless `principal` manages `creator`: another creator is 404, a non-manager 403.
pub fn authorize(principal: &Principal, creator: &str) -> Result<(), AppError> {
    if creator.parse::<Uuid>().ok() != Some(principal.creator_id.0) {
        return Err(AppError::NotFound(format!("no creator `{creator}`")));
    }
    principal.require_manager()
}

/// An id from the path; an unreadable one names nothing, so it is 404.
pub fn id(raw: &str, what: &str) -> Result<Uuid, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("no {what} `{raw}`")))
}

fn checked(body: CreateIntegration) -> Result<NewIntegration, MessagingError> {
    let (kind, name, url, bot_token) = match body {
        CreateIntegration::Telegram { name, bot_token } => {
            let (bot, secret) = bot_token.split_once(':').unwrap_or_default();
            let secret_ok = secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if bot.is_empty()
                || !bot.bytes().all(|b| b.is_ascii_digit())
                || secret.is_empty()
                || !secret_ok
                || bot_token.len() > 200
            {
                return Err(MessagingError::Invalid(
                    "bot_token must be a Telegram bot token, `<digits>:<secret>`".into(),
                ));
            }
            ("telegram", name, None, Some(bot_token))
        }
        CreateIntegration::Webhook { name, url } => {
            let parsed = url::Url::parse(&url).ok();
            let ok = parsed
                .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok || url.len() > 2000 {
                return Err(MessagingError::Invalid(
                    "url must be an http(s) URL with a host".into(),
                ));
            }
            ("webhook", name, Some(url), None)
        }
    };
    if !(1..=100).contains(&name.trim().chars().count()) {
        return Err(MessagingError::Invalid(
            "name must have 1 to 100 characters".into(),
        ));
    }
    Ok(NewIntegration {
        kind,
        name: name.trim().to_owned(),
        url,
        bot_token,
    })
}

/// Creates an integration; its secret is in this response only.
#[utoipa::path(
    post, path = "/{creator_id}/integrations", tag = "messaging",
    security(("bearer" = [])),
    params(("creator_id" = Uuid, Path, description = "the caller's creator")),
    request_body = CreateIntegration,
    responses(
        (status = 201, description = "created; `secret` is never shown again", body = CreatedIntegration),
        (status = 400, description = "an unusable field", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "CHANNEL_SECRETS_KEY is not configured", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn create_integration(
    Extension(messaging): Extension<Arc<Messaging>>,
    Path(creator): Path<String>,
    Tenant { principal, mut tx }: Tenant,
    ApiJson(body): ApiJson<CreateIntegration>,
) -> Result<(StatusCode, ApiJson<CreatedIntegration>), AppError> {
    authorize(&principal, &creator)?;
    let new = checked(body)?;
    let (integration, secret) = store::create(&mut tx, messaging.secrets()?, new).await?;
    tx.commit().await?;
    let inbound_path = match integration.kind.as_str() {
        "telegram" => format!("{}/telegram/{}/webhook", crate::PREFIX, integration.id),
        _ => format!("{}/webhook/{}", crate::PREFIX, integration.id),
    };
    let created = CreatedIntegration {
        integration,
        secret,
        inbound_path,
    };
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// The creator's integrations, newest first; never a secret.
#[utoipa::path(
    get, path = "/{creator_id}/integrations", tag = "messaging",
    security(("bearer" = [])),
    params(("creator_id" = Uuid, Path, description = "the caller's creator")),
    responses(
        (status = 200, description = "the integrations", body = Vec<IntegrationView>),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_integrations(
    Path(creator): Path<String>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<ApiJson<Vec<IntegrationView>>, AppError> {
    authorize(&principal, &creator)?;
    let list = store::list(&mut tx).await?;
    tx.commit().await?;
    Ok(ApiJson(list))
}

/// One integration; never a secret.
#[utoipa::path(
    get, path = "/{creator_id}/integrations/{id}", tag = "messaging",
    security(("bearer" = [])),
    params(
        ("creator_id" = Uuid, Path, description = "the caller's creator"),
        ("id" = Uuid, Path, description = "the integration")
    ),
    responses(
        (status = 200, description = "the integration", body = IntegrationView),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such integration of the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_integration(
    Path((creator, raw)): Path<(String, String)>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<ApiJson<IntegrationView>, AppError> {
    authorize(&principal, &creator)?;
    let found = store::get(&mut tx, id(&raw, "integration")?).await?;
    tx.commit().await?;
    found
        .map(ApiJson)
        .ok_or_else(|| AppError::NotFound(format!("no integration `{raw}`")))
}

/// Deletes an integration with its chats, pending messages and deliveries, and revokes its key.
#[utoipa::path(
    delete, path = "/{creator_id}/integrations/{id}", tag = "messaging",
    security(("bearer" = [])),
    params(
        ("creator_id" = Uuid, Path, description = "the caller's creator"),
        ("id" = Uuid, Path, description = "the integration")
    ),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not the owner or an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such integration of the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn delete_integration(
    Path((creator, raw)): Path<(String, String)>,
    Tenant { principal, mut tx }: Tenant,
) -> Result<StatusCode, AppError> {
    authorize(&principal, &creator)?;
    if !store::delete(&mut tx, id(&raw, "integration")?).await? {
        return Err(AppError::NotFound(format!("no integration `{raw}`")));
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
