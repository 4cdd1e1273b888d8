//! Sign-up, login, refresh (rotation with reuse detection) and logout.

use axum::extract::State;
use axum::http::StatusCode;
use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry, Origin};
use coachai_common::auth::Role;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::ratelimit::client_key;
use coachai_common::tenancy::{CreatorId, TenantTx};
use coachai_provisioning::TenantSpec;
use serde_json::json;
use uuid::Uuid;

use super::{
    LOGIN_PER_ACCOUNT, LOGIN_PER_IP, REFRESH_PER_IP, REFRESH_PER_TOKEN, SIGNUP_PER_IP, hashed_key,
    invalid_credentials,
};
use crate::dependencies::ClientOrigin;
use crate::models::session::{LoginRequest, RefreshRequest, SignupRequest, TokenResponse};
use crate::password;
use crate::state::AuthState;
use crate::store::sessions::{self, Lineage, Rotation};
use crate::store::{lookup, users};
use crate::tokens::{plausible_opaque, secret_hash};

/// Mints an access token and a refresh token of `lineage` for `user` inside `tx`.
pub(crate) async fn start_session(
    state: &AuthState,
    tx: &mut TenantTx,
    user: Uuid,
    role: Role,
    lineage: Lineage,
) -> Result<TokenResponse, AppError> {
    let refresh_token = sessions::issue(tx, user, lineage, state.settings.refresh_ttl).await?;
    let access = state.issuer.access(user, tx.creator(), role)?;
    Ok(TokenResponse {
        creator_id: tx.creator().0,
        user_id: user,
        slug: users::creator_slug(tx).await?,
        access_token: access.token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in: access.expires_in,
    })
}

/// Creates a creator (tenant) with its owner and signs the owner in.
#[utoipa::path(
    post, path = "/signup", tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "creator created, owner signed in", body = TokenResponse),
        (status = 403, description = "sign-up is switched off", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "the slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields or weak password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many sign-ups from this address", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn signup(
    State(state): State<AuthState>,
    ClientOrigin(origin): ClientOrigin,
    ApiJson(body): ApiJson<SignupRequest>,
) -> Result<(StatusCode, ApiJson<TokenResponse>), AppError> {
    if !state.settings.signup_enabled {
        return Err(AppError::Forbidden(
            "sign-up is switched off; creators are provisioned by the operator".into(),
        ));
    }
    let ip_key = format!("signup:ip:{}", client_key(origin.ip));
    state.limiter.check(&[(&ip_key, SIGNUP_PER_IP)]).await?;
    password::check_strength(&body.password, &body.email)?;
    let spec = TenantSpec {
        slug: body.slug,
        display_name: body.creator_name,
        owner_email: body.email,
        owner_password_hash: None,
    };
    let valid = spec.validate()?;
    let phc = state.passwords.hash(body.password).await?;
    let valid = valid.with_owner_password_hash(phc);
    let tenant = state.provisioner.provision(&state.core.db, &valid).await?;
    let mut tx = state.core.db.begin_for(tenant.creator_id).await?;
    let owner = tenant.owner_user_id;
    AuditEntry::new(Actor::User(owner), "auth.signup", &origin)
        .target("user", owner)
        .record(&mut tx)
        .await?;
    let tokens = start_session(&state, &mut tx, owner, Role::Owner, Lineage::fresh()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, ApiJson(tokens)))
}

/// Signs a user of a creator in with email and password.
#[utoipa::path(
    post, path = "/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in", body = TokenResponse),
        (status = 401, description = "invalid credentials (which part is never said)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn login(
    State(state): State<AuthState>,
    origin: ClientOrigin,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<ApiJson<TokenResponse>, AppError> {
    let ip_key = format!("login:ip:{}", origin.ip_key());
    let account_key = hashed_key("login:account", &[&body.creator, &body.email]);
    state
        .limiter
        .check(&[(&ip_key, LOGIN_PER_IP), (&account_key, LOGIN_PER_ACCOUNT)])
        .await?;
    let found = lookup::login(&state.core.db, &body.creator, &body.email).await?;
    // Unknown users take the same steps as known ones (a tenant transaction that finds no
    // row, an Argon2 verification of a dummy hash), so timing does not tell them apart.
    let (creator, user) = found.unwrap_or((CreatorId(Uuid::nil()), Uuid::nil()));
    let account = active_account(&state, creator, user).await?;
    // Argon2 runs with no connection held, in a bounded number of slots.
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = state.passwords.verify(body.password, stored).await?;
    let Some(account) = account.filter(|_| verified) else {
        record_failure_later(&state, found, origin.0);
        return Err(invalid_credentials());
    };
    let mut tx = state.core.db.begin_for(creator).await?;
    AuditEntry::new(Actor::User(account.id), "auth.login", &origin.0)
        .target("user", account.id)
        .record(&mut tx)
        .await?;
    let lineage = Lineage::fresh();
    let tokens = start_session(&state, &mut tx, account.id, account.role, lineage).await?;
    tx.commit().await?;
    Ok(ApiJson(tokens))
}

/// The active account `user` of `creator`, read in a short transaction of its own.
async fn active_account(
    state: &AuthState,
    creator: CreatorId,
    user: Uuid,
) -> Result<Option<users::Account>, AppError> {
    let mut tx = state.core.db.begin_for(creator).await?;
    let account = users::account(&mut tx, user).await?.filter(|a| a.active);
    tx.commit().await?;
    Ok(account)
}

/// Records a failed login off the response path, so the answer takes as long whether or not
/// the account exists (an unknown account has no tenant to record it in).
fn record_failure_later(state: &AuthState, found: Option<(CreatorId, Uuid)>, origin: Origin) {
    tracing::info!(ip = ?origin.ip, "failed login");
    let Some((creator, user)) = found else {
        return;
    };
    let db = state.core.db.clone();
    tokio::spawn(async move {
        let recorded = async {
            let mut tx = db.begin_for(creator).await?;
            AuditEntry::new(Actor::Anonymous, "auth.login_failed", &origin)
                .target("user", user)
                .record(&mut tx)
                .await?;
            tx.commit().await
        };
        if let Err(err) = recorded.await {
            tracing::warn!(error = %err, "could not record a failed login");
        }
    });
}

/// Exchanges a refresh token for a new pair; presenting an already-rotated token revokes its
/// whole family.
#[utoipa::path(
    post, path = "/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "a new access and refresh token", body = TokenResponse),
        (status = 401, description = "unknown, expired, revoked or reused token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn refresh(
    State(state): State<AuthState>,
    ClientOrigin(origin): ClientOrigin,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<ApiJson<TokenResponse>, AppError> {
    let (creator, token_id) = find_token(&state, &origin, &body.refresh_token).await?;
    let mut tx = state.core.db.begin_for(creator).await?;
    match sessions::rotate(&mut tx, token_id).await? {
        Rotation::Rotated {
            user_id,
            family_id,
            token_id,
        } => {
            let lineage = Lineage {
                family_id,
                parent_id: Some(token_id),
            };
            rotated(&state, tx, user_id, lineage, &origin)
                .await
                .map(ApiJson)
        }
        Rotation::Reused { user_id, family_id } => {
            Err(reused(tx, user_id, family_id, &origin).await)
        }
        Rotation::Dead => Err(invalid_credentials()),
    }
}

/// Issues the child of a rotated token, unless its user was deactivated meanwhile.
async fn rotated(
    state: &AuthState,
    mut tx: TenantTx,
    user_id: Uuid,
    lineage: Lineage,
    origin: &Origin,
) -> Result<TokenResponse, AppError> {
    let account = users::account(&mut tx, user_id).await?.filter(|a| a.active);
    let Some(account) = account else {
        sessions::revoke_family(&mut tx, lineage.family_id).await?;
        tx.commit().await?;
        return Err(invalid_credentials());
    };
    AuditEntry::new(Actor::User(user_id), "auth.refresh", origin)
        .target("refresh_family", lineage.family_id)
        .record(&mut tx)
        .await?;
    let tokens = start_session(state, &mut tx, user_id, account.role, lineage).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// A rotated token came back: someone holds a stolen copy, so the whole family is revoked
/// (committed, although the request fails).
async fn reused(mut tx: TenantTx, user_id: Uuid, family_id: Uuid, origin: &Origin) -> AppError {
    let outcome = async {
        let revoked = sessions::revoke_family(&mut tx, family_id).await?;
        AuditEntry::new(Actor::Anonymous, "auth.refresh_reuse", origin)
            .target("refresh_family", family_id)
            .details(json!({ "user_id": user_id, "revoked": revoked }))
            .record(&mut tx)
            .await?;
        tx.commit().await
    };
    match outcome.await {
        Ok(()) => {
            tracing::warn!(%family_id, %user_id, "refresh token reused; family revoked");
            invalid_credentials()
        }
        Err(err) => err,
    }
}

/// Rate-limits, then finds the tenant and id of a presented refresh token.
async fn find_token(
    state: &AuthState,
    origin: &Origin,
    token: &str,
) -> Result<(CreatorId, Uuid), AppError> {
    let ip_key = format!("refresh:ip:{}", client_key(origin.ip));
    let token_key = hashed_key("refresh:token", &[token]);
    state
        .limiter
        .check(&[(&ip_key, REFRESH_PER_IP), (&token_key, REFRESH_PER_TOKEN)])
        .await?;
    if !plausible_opaque(token) {
        return Err(invalid_credentials());
    }
    lookup::refresh_token(&state.core.db, &secret_hash(token))
        .await?
        .ok_or_else(invalid_credentials)
}

/// Ends the session of a refresh token by revoking its whole family. Idempotent: an unknown
/// or already revoked token also answers 204.
#[utoipa::path(
    post, path = "/logout", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "the session's refresh tokens are revoked"),
        (status = 429, description = "too many attempts; see Retry-After", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn logout(
    State(state): State<AuthState>,
    ClientOrigin(origin): ClientOrigin,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<StatusCode, AppError> {
    let (creator, token_id) = match find_token(&state, &origin, &body.refresh_token).await {
        Ok(found) => found,
        Err(AppError::Unauthorized(_)) => return Ok(StatusCode::NO_CONTENT),
        Err(other) => return Err(other),
    };
    let mut tx = state.core.db.begin_for(creator).await?;
    if let Some((user_id, family_id)) = sessions::family_of(&mut tx, token_id).await? {
        let revoked = sessions::revoke_family(&mut tx, family_id).await?;
        AuditEntry::new(Actor::User(user_id), "auth.logout", &origin)
            .target("refresh_family", family_id)
            .details(json!({ "revoked": revoked }))
            .record(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
