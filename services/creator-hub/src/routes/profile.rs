//! `GET|PATCH /api/v1/creators/{creator_id}`: the creator's profile and settings.

use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::scoped::{CreatorScoped, ScopedPrincipal};
use coachai_common::state::CoreState;

use crate::models::profile::{Profile, ProfilePatch};
use crate::store::profile;

use super::request_origin;

/// Cache key of the profile (prefixed with the creator by the cache).
pub const PROFILE_KEY: &str = "profile";
/// How long a cached profile (and its usage figures) is served.
pub const PROFILE_TTL: Duration = Duration::from_secs(60);

/// The creator's profile, settings, quotas and usage (owner, admin, coach).
#[utoipa::path(
    get, path = "/{creator_id}", tag = "profile",
    params(("creator_id" = Uuid, Path, description = "the caller's own creator")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the profile", body = Profile),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_profile(
    State(state): State<CoreState>,
    ScopedPrincipal(principal): ScopedPrincipal,
) -> Result<ApiJson<Profile>, AppError> {
    principal.require_staff()?;
    let creator = principal.creator_id;
    let db = state.db.clone();
    let loaded = state
        .cache
        .get_or_load(creator, PROFILE_KEY, PROFILE_TTL, || async move {
            let mut tx = db.begin_for(creator).await?;
            let profile = profile::load(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, AppError>(profile)
        })
        .await?;
    Ok(ApiJson(loaded))
}

/// Changes the profile (owner, admin); the answer is the whole profile after the change.
#[utoipa::path(
    patch, path = "/{creator_id}", tag = "profile",
    params(("creator_id" = Uuid, Path, description = "the caller's own creator")),
    request_body = ProfilePatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the changed profile", body = Profile),
        (status = 403, description = "not an owner or admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields, or fields that cannot be changed here", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn patch_profile(
    State(state): State<CoreState>,
    headers: HeaderMap,
    scoped: CreatorScoped,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<ApiJson<Profile>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_manager()?;
    profile::update(&mut tx, &patch).await?;
    let changed = profile::load(&mut tx).await?;
    let origin = request_origin(&headers);
    AuditEntry::new(Actor::User(principal.user_id), "creators.update", &origin)
        .target("creator", changed.id)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    state
        .cache
        .invalidate(principal.creator_id, PROFILE_KEY)
        .await;
    Ok(ApiJson(changed))
}
