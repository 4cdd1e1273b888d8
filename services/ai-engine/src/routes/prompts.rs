//! `GET|POST /api/v1/ai/prompts`, `POST /prompts/{name}/versions` and
//! `POST /prompts/{name}/versions/{version}/activate`: the creator's prompt templates. Owners
//! and admins write, coaches read too, clients neither; another creator's templates do not
//! exist for the caller (RLS).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use coachai_common::AppError;
use coachai_common::audit::AuditEntry;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::state::CoreState;
use coachai_common::tenancy::Tenant;
use serde_json::json;

use super::{TemplatePath, actor, request_origin};
use crate::prompts::PromptError;
use crate::prompts::models::{NewTemplate, NewVersion, TemplateList, summarise};
use crate::prompts::render::check;
use crate::prompts::resolve::invalidate;
use crate::prompts::store::{self, TemplateVersion};

/// The creator's templates: for each name what chats use now (the creator's override or the
/// global default) and the creator's versions (owner, admin, coach).
#[utoipa::path(
    get, path = "/prompts", tag = "prompts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the templates", body = TemplateList),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_prompts(tenant: Tenant) -> Result<ApiJson<TemplateList>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_staff()?;
    let versions = store::versions(&mut tx).await?;
    let globals = store::global_defaults(&mut tx).await?;
    tx.commit().await?;
    Ok(ApiJson(summarise(versions, globals)))
}

/// Creates the creator's own template `name`: version 1, active at once (owner, admin).
#[utoipa::path(
    post, path = "/prompts", tag = "prompts",
    request_body = NewTemplate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "version 1, active", body = TemplateVersion),
        (status = 403, description = "not an owner or admin, or an API key without `admin`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the creator already has this template; add a version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a bad name, a body over 20,000 characters, or a body that does not parse (the line is named)", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn create_prompt(
    State(state): State<CoreState>,
    headers: HeaderMap,
    tenant: Tenant,
    ApiJson(new): ApiJson<NewTemplate>,
) -> Result<(StatusCode, ApiJson<TemplateVersion>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    check(&new.body).map_err(PromptError::Invalid)?;
    let saved = store::create(&mut tx, &new.name, &new.body, principal.user_id).await?;
    record(&mut tx, &headers, &principal, "prompts.create", &saved).await?;
    tx.commit().await?;
    invalidate(&state.cache, principal.creator_id, &saved.name).await;
    Ok((StatusCode::CREATED, ApiJson(saved)))
}

/// Saves the next version of the creator's template; `activate: true` makes chats use it at
/// once (owner, admin).
#[utoipa::path(
    post, path = "/prompts/{name}/versions", tag = "prompts",
    params(("name" = String, Path, description = "a template the creator has created")),
    request_body = NewVersion,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "the new version", body = TemplateVersion),
        (status = 403, description = "not an owner or admin, or an API key without `admin`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "the creator has no template of this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a body over 20,000 characters, or one that does not parse (the line is named)", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn create_version(
    State(state): State<CoreState>,
    headers: HeaderMap,
    tenant: Tenant,
    path: TemplatePath,
    ApiJson(new): ApiJson<NewVersion>,
) -> Result<(StatusCode, ApiJson<TemplateVersion>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    check(&new.body).map_err(PromptError::Invalid)?;
    let user = principal.user_id;
    let saved = store::add_version(&mut tx, &path.name, &new.body, new.activate, user).await?;
    record(&mut tx, &headers, &principal, "prompts.version", &saved).await?;
    tx.commit().await?;
    invalidate(&state.cache, principal.creator_id, &saved.name).await;
    Ok((StatusCode::CREATED, ApiJson(saved)))
}

/// Makes a saved version the one chats use; activating an older one rolls back (owner, admin).
#[utoipa::path(
    post, path = "/prompts/{name}/versions/{version}/activate", tag = "prompts",
    params(
        ("name" = String, Path, description = "a template the creator has created"),
        ("version" = i32, Path, description = "one of its versions")
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the now active version", body = TemplateVersion),
        (status = 400, description = "the version is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an owner or admin, or an API key without `admin`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such template or version for this creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn activate_version(
    State(state): State<CoreState>,
    headers: HeaderMap,
    tenant: Tenant,
    path: TemplatePath,
) -> Result<ApiJson<TemplateVersion>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    let version = path.version.unwrap_or_default();
    let active = store::activate(&mut tx, &path.name, version, principal.user_id).await?;
    record(&mut tx, &headers, &principal, "prompts.activate", &active).await?;
    tx.commit().await?;
    invalidate(&state.cache, principal.creator_id, &active.name).await;
    Ok(ApiJson(active))
}

async fn record(
    tx: &mut coachai_common::TenantTx,
    headers: &HeaderMap,
    principal: &coachai_common::auth::Principal,
    action: &'static str,
    version: &TemplateVersion,
) -> Result<(), AppError> {
    let origin = request_origin(headers);
    AuditEntry::new(actor(principal), action, &origin)
        .target("prompt_template", &version.name)
        .details(json!({"version": version.version, "active": version.active}))
        .record(tx)
        .await
}
