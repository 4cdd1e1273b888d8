//! Users of a creator: managers list them, the owner deactivates them.

use axum::extract::{Query, State};
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::auth::Role;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::Tenant;

use super::require_interactive;
use crate::dependencies::{ClientOrigin, IdPath};
use crate::models::users::{Page, UserList, UserView};
use crate::state::AuthState;
use crate::store::users;

/// Lists the creator's users (owner or admin).
#[utoipa::path(
    get, path = "/users", tag = "users",
    params(Page),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the users", body = UserList),
        (status = 401, description = "not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not an owner or admin", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_users(
    tenant: Tenant,
    Query(page): Query<Page>,
) -> Result<ApiJson<UserList>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    require_interactive(&principal)?;
    let users = users::list(&mut tx, &page).await?;
    Ok(ApiJson(UserList { users }))
}

/// Deactivates a user (owner only): they can no longer sign in; their refresh tokens, API keys
/// and pending invitations are revoked at once, and their access tokens are refused by every
/// service within seconds (a revocation epoch in Redis).
#[utoipa::path(
    post, path = "/users/{id}/deactivate", tag = "users",
    params(("id" = Uuid, Path, description = "the user")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the deactivated user", body = UserView),
        (status = 403, description = "not the owner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such user in this creator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the owner cannot deactivate themselves", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "the revocation could not be recorded; nothing changed", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn deactivate_user(
    State(state): State<AuthState>,
    tenant: Tenant,
    ClientOrigin(origin): ClientOrigin,
    IdPath(id): IdPath,
) -> Result<ApiJson<UserView>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    require_interactive(&principal)?;
    if principal.role != Role::Owner {
        return Err(AppError::Forbidden(
            "only the owner deactivates users".into(),
        ));
    }
    if id == principal.user_id {
        return Err(AppError::Conflict(
            "the owner cannot deactivate themselves".into(),
        ));
    }
    let user = users::deactivate(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("no such user".into()))?;
    AuditEntry::new(Actor::User(principal.user_id), "users.deactivate", &origin)
        .target("user", id)
        .record(&mut tx)
        .await?;
    // Revoke before committing: if Redis cannot record it, nothing changes and the owner is
    // told to retry, rather than believing the user's live tokens are dead.
    state
        .core
        .authenticator
        .revocations()
        .revoke_user(id)
        .await?;
    tx.commit().await?;
    Ok(ApiJson(user))
}
