//! The HTTP routes of the Auth service, each documented in the OpenAPI document.

mod api_keys;
mod invitations;
mod me;
mod session;
mod users;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coachai_common::AppError;
use coachai_common::auth::scope::accept_any_api_key;
use coachai_common::auth::{Credential, Principal};
use coachai_common::ratelimit::Limit;
use sha2::{Digest, Sha256};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AuthState;

/// Login attempts per client address.
pub const LOGIN_PER_IP: Limit = Limit::per_secs(30, 60);
/// Login attempts per account (creator + email): a temporary lockout of 15 minutes at most.
pub const LOGIN_PER_ACCOUNT: Limit = Limit::per_secs(10, 15 * 60);
/// Refresh and logout calls per client address.
pub const REFRESH_PER_IP: Limit = Limit::per_secs(120, 60);
/// Presentations of one refresh token.
pub const REFRESH_PER_TOKEN: Limit = Limit::per_secs(10, 60);
/// Sign-ups per client address.
pub const SIGNUP_PER_IP: Limit = Limit::per_secs(10, 60 * 60);
/// Invitation acceptances per client address.
pub const ACCEPT_PER_IP: Limit = Limit::per_secs(10, 15 * 60);

#[derive(OpenApi)]
#[openapi(
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, login, sessions and the signing keys"),
        (name = "users", description = "Users and invitations of a creator"),
        (name = "api-keys", description = "API keys for integrations")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("EdDSA JWT access token, or an API key `cak_<prefix>_<secret>`")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The business routes, relative to [`crate::PREFIX`], with their OpenAPI description.
pub fn api(state: AuthState) -> OpenApiRouter {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    management_routes(session_routes(router)).with_state(state)
}

fn session_routes(router: OpenApiRouter<AuthState>) -> OpenApiRouter<AuthState> {
    // `/me` tells any valid API key whom it acts for; every other authenticated route of this
    // service is for signed-in people only (no API key scope declared: keys get 403).
    let identity = accept_any_api_key(OpenApiRouter::new().routes(routes!(me::me)));
    router
        .routes(routes!(session::signup))
        .routes(routes!(session::login))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(me::jwks))
        .merge(identity)
}

fn management_routes(router: OpenApiRouter<AuthState>) -> OpenApiRouter<AuthState> {
    router
        .routes(routes!(users::list_users))
        .routes(routes!(users::deactivate_user))
        .routes(routes!(invitations::invite))
        .routes(routes!(invitations::accept))
        .routes(routes!(api_keys::create_key, api_keys::list_keys))
        .routes(routes!(api_keys::revoke_key))
}

/// The one answer to every failed credential check: it names no field, so it reveals
/// nothing about which part was wrong or whether the account exists.
pub(crate) fn invalid_credentials() -> AppError {
    AppError::Unauthorized("invalid credentials".into())
}

/// Management needs a signed-in person: API keys serve integrations, not administration.
pub(crate) fn require_interactive(principal: &Principal) -> Result<(), AppError> {
    match principal.credential {
        Credential::AccessToken { .. } => Ok(()),
        Credential::ApiKey { .. } => Err(AppError::Forbidden(
            "API keys cannot manage users, invitations or keys; sign in".into(),
        )),
    }
}

/// A rate-limit key that keeps personal data (emails, tokens) out of Redis.
pub(crate) fn hashed_key(kind: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.to_lowercase().as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    format!("{kind}:{}", URL_SAFE_NO_PAD.encode(&digest[..16]))
}
