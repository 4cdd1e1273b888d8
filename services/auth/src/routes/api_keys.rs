//! API keys: managers create (shown once), list and revoke them.

use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::Tenant;
use serde_json::json;

use super::require_interactive;
use crate::api_keys::mint;
use crate::dependencies::{ClientOrigin, IdPath};
use crate::models::api_keys::{ApiKeyCreated, ApiKeyList, CreateApiKey};
use crate::store::api_keys::{self, NewKey};
use crate::tokens::secret_hash;

/// Creates an API key acting for the caller with the given scopes; the key is shown once.
#[utoipa::path(
    post, path = "/api-keys", tag = "api-keys",
    request_body = CreateApiKey,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "the key, shown only now", body = ApiKeyCreated),
        (status = 403, description = "not an owner or admin, or called with an API key", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn create_key(
    tenant: Tenant,
    ClientOrigin(origin): ClientOrigin,
    ApiJson(body): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, ApiJson<ApiKeyCreated>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    require_interactive(&principal)?;
    let (prefix, secret) = mint();
    let new = NewKey {
        name: body.name.trim(),
        prefix: &prefix,
        hash: secret_hash(&secret),
        scopes: &body.scopes,
        expires_in_days: body.expires_in_days,
        created_by: principal.user_id,
    };
    let created = api_keys::insert(&mut tx, new, secret).await?;
    AuditEntry::new(Actor::User(principal.user_id), "api_keys.create", &origin)
        .target("api_key", created.id)
        .details(json!({ "prefix": prefix, "scopes": body.scopes }))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(created)))
}

/// Lists the creator's API keys (never their secrets).
#[utoipa::path(
    get, path = "/api-keys", tag = "api-keys",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the keys", body = ApiKeyList),
        (status = 403, description = "not an owner or admin", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_keys(tenant: Tenant) -> Result<ApiJson<ApiKeyList>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    require_interactive(&principal)?;
    let api_keys = api_keys::list(&mut tx).await?;
    Ok(ApiJson(ApiKeyList { api_keys }))
}

/// Revokes an API key at once.
#[utoipa::path(
    delete, path = "/api-keys/{id}", tag = "api-keys",
    params(("id" = Uuid, Path, description = "the key")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, description = "not an owner or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such live key in this creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn revoke_key(
    tenant: Tenant,
    ClientOrigin(origin): ClientOrigin,
    IdPath(id): IdPath,
) -> Result<StatusCode, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    require_interactive(&principal)?;
    if !api_keys::revoke(&mut tx, id).await? {
        return Err(AppError::NotFound("no such API key".into()));
    }
    AuditEntry::new(Actor::User(principal.user_id), "api_keys.revoke", &origin)
        .target("api_key", id)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
