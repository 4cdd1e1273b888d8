//! The caller's identity and the public signing keys.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use coachai_common::AppError;
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::tenancy::Tenant;

use crate::models::session::MeResponse;
use crate::state::AuthState;

/// Who the bearer of the credential is (an access token or an API key).
#[utoipa::path(
    get, path = "/me", tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the caller", body = MeResponse),
        (status = 401, description = "missing, invalid or expired credential", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn me(tenant: Tenant) -> Result<ApiJson<MeResponse>, AppError> {
    let Tenant { principal, mut tx } = tenant;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT email::text, status FROM users WHERE id = $1")
            .bind(principal.user_id)
            .fetch_optional(tx.conn())
            .await?;
    match row {
        Some((email, status)) if status == "active" => Ok(ApiJson(MeResponse {
            user_id: principal.user_id,
            creator_id: principal.creator_id.0,
            email,
            role: principal.role,
        })),
        _ => Err(AppError::Unauthorized(
            "this account is no longer active".into(),
        )),
    }
}

/// The public keys that verify access tokens (every key still accepted, so rotation is
/// seamless). Verifiers cache it for its `max-age` and refetch on an unknown `kid`.
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "auth",
    responses((status = 200, description = "JSON Web Key Set (RFC 7517)", content_type = "application/json"))
)]
pub(crate) async fn jwks(State(state): State<AuthState>) -> impl IntoResponse {
    let cache_control = format!("public, max-age={}", state.settings.jwks_max_age.as_secs());
    (
        [(header::CACHE_CONTROL, cache_control)],
        axum::Json(state.issuer.keys().jwks()),
    )
}
