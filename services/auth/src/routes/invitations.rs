//! Inviting users: a manager invites, the invitee accepts once with a password.

use axum::extract::State;
use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry};
use coachai_common::auth::Role;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::{CreatorId, Tenant};
use serde_json::json;
use uuid::Uuid;

use super::session::start_session;
use super::{ACCEPT_PER_IP, invalid_credentials, require_interactive};
use crate::dependencies::ClientOrigin;
use crate::models::invitations::{AcceptInvitation, InvitationCreated, InviteRequest, InviteRole};
use crate::models::session::TokenResponse;
use crate::password;
use crate::state::AuthState;
use crate::store::sessions::Lineage;
use crate::store::{invitations, lookup, users};
use crate::tokens::{plausible_opaque, secret_hash};

/// Invites someone by email (owner or admin; only the owner invites admins). The token is
/// returned once, for the inviter to pass on.
#[utoipa::path(
    post, path = "/invitations", tag = "users",
    request_body = InviteRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "invitation created", body = InvitationCreated),
        (status = 403, description = "not allowed to invite this role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already a user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn invite(
    State(state): State<AuthState>,
    tenant: Tenant,
    ClientOrigin(origin): ClientOrigin,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<(StatusCode, ApiJson<InvitationCreated>), AppError> {
    let Tenant { principal, mut tx } = tenant;
    principal.require_manager()?;
    require_interactive(&principal)?;
    if body.role == InviteRole::Admin && principal.role != Role::Owner {
        return Err(AppError::Forbidden("only the owner invites admins".into()));
    }
    let email = body.email.trim().to_owned();
    let ttl = state.settings.invitation_ttl;
    let created =
        invitations::create(&mut tx, &email, body.role.role(), principal.user_id, ttl).await?;
    AuditEntry::new(
        Actor::User(principal.user_id),
        "invitations.create",
        &origin,
    )
    .target("invitation", created.id)
    .details(json!({ "role": body.role.role().as_str() }))
    .record(&mut tx)
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(InvitationCreated {
            id: created.id,
            email,
            role: body.role,
            token: created.token,
            expires_at: created.expires_at,
        }),
    ))
}

/// Accepts an invitation: creates the user with the given password and signs them in.
#[utoipa::path(
    post, path = "/invitations/accept", tag = "users",
    request_body = AcceptInvitation,
    responses(
        (status = 201, description = "user created and signed in", body = TokenResponse),
        (status = 401, description = "unknown, used or expired invitation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the email is already a user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "weak password or invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn accept(
    State(state): State<AuthState>,
    origin: ClientOrigin,
    ApiJson(body): ApiJson<AcceptInvitation>,
) -> Result<(StatusCode, ApiJson<TokenResponse>), AppError> {
    let (creator, invitation) = find_invitation(&state, &origin, &body.token).await?;
    // Read the invitation, then hash with no connection or row lock held; the claim below
    // takes the lock only for the short transaction that creates the user.
    let email = pending_email(&state, creator, invitation).await?;
    password::check_strength(&body.password, &email)?;
    let phc = state.passwords.hash(body.password).await?;
    let mut tx = state.core.db.begin_for(creator).await?;
    let (email, role) = invitations::claim(&mut tx, invitation)
        .await?
        .ok_or_else(invalid_credentials)?;
    let display_name = body.display_name.as_deref().map(str::trim);
    let user = invitee(&mut tx, &email, &phc, role, display_name).await?;
    AuditEntry::new(Actor::User(user), "invitations.accept", &origin.0)
        .target("invitation", invitation)
        .details(json!({ "user_id": user, "role": role.as_str() }))
        .record(&mut tx)
        .await?;
    let tokens = start_session(&state, &mut tx, user, role, Lineage::fresh()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(tokens)))
}

/// The invited user: a new user, or, for an owner invitation, the owner who had no password.
async fn invitee(
    tx: &mut coachai_common::TenantTx,
    email: &str,
    phc: &str,
    role: Role,
    display_name: Option<&str>,
) -> Result<Uuid, AppError> {
    if role == Role::Owner {
        users::activate_owner(tx, email, phc).await
    } else {
        users::insert(tx, email, phc, role, display_name).await
    }
}

/// The email of a pending invitation, read in a short transaction of its own.
async fn pending_email(
    state: &AuthState,
    creator: CreatorId,
    invitation: Uuid,
) -> Result<String, AppError> {
    let mut tx = state.core.db.begin_for(creator).await?;
    let email = invitations::pending(&mut tx, invitation)
        .await?
        .ok_or_else(invalid_credentials)?;
    tx.commit().await?;
    Ok(email)
}

/// Rate-limits, then finds the tenant and id of a presented invitation token.
async fn find_invitation(
    state: &AuthState,
    origin: &ClientOrigin,
    token: &str,
) -> Result<(CreatorId, Uuid), AppError> {
    let ip_key = format!("accept:ip:{}", origin.ip_key());
    state.limiter.check(&[(&ip_key, ACCEPT_PER_IP)]).await?;
    if !plausible_opaque(token) {
        return Err(invalid_credentials());
    }
    lookup::invitation(&state.core.db, &secret_hash(token))
        .await?
        .ok_or_else(invalid_credentials)
}
