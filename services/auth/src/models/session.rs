//! Sign-up, login, refresh and the caller's identity.

use coachai_common::auth::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::no_control;

/// `POST /signup`: a new creator and its owner.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The owner's email address.
    #[garde(email, length(max = 254), custom(no_control))]
    pub email: String,
    /// At least 12 characters, not a common password.
    #[garde(length(chars, max = 1024))]
    pub password: String,
    /// The creator's display name.
    #[garde(length(chars, min = 1, max = 200), custom(no_control))]
    pub creator_name: String,
    /// Wanted slug (3–63 of a-z, 0-9, inner dashes); 409 when another creator has it. When
    /// absent it is derived from the name, with a random suffix (`coach-alpha-k3x9`) when the
    /// plain form is taken.
    #[garde(inner(length(max = 63), custom(no_control)))]
    pub slug: Option<String>,
}

/// `POST /login`.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The creator's slug.
    #[garde(length(min = 1, max = 63), custom(no_control))]
    pub creator: String,
    /// The user's email address.
    #[garde(length(min = 1, max = 254), custom(no_control))]
    pub email: String,
    /// The password.
    #[garde(length(chars, min = 1, max = 1024))]
    pub password: String,
}

/// `POST /refresh` and `POST /logout`.
#[derive(Debug, Clone, Deserialize, garde::Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token of the session.
    #[garde(length(min = 1, max = 1024))]
    pub refresh_token: String,
}

/// A new session: an access token and the refresh token that renews it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The tenant.
    pub creator_id: Uuid,
    /// The user.
    pub user_id: Uuid,
    /// The creator's slug.
    pub slug: String,
    /// EdDSA-signed JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use; exchange it at `/refresh` for a new pair.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// `GET /me`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeResponse {
    /// The user.
    pub user_id: Uuid,
    /// The tenant.
    pub creator_id: Uuid,
    /// The user's email address.
    pub email: String,
    /// The user's role in the tenant.
    pub role: Role,
}
