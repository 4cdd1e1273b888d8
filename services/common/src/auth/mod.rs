//! Authentication shared by every service: the verified [`Principal`] extractor.
//!
//! Access tokens are verified locally against the Auth service's JWKS ([`jwt::JwtVerifier`]);
//! API keys (`cak_…`) are resolved by a pluggable [`ApiKeyResolver`]. Either way a handler
//! only ever sees a `Principal` whose creator id came from a verified credential, that passed
//! the route's API key scope ([`scope`]) and that is not revoked ([`revocation`]).

pub mod api_keys;
pub mod eddsa;
mod jwks;
pub mod jwt;
pub mod keys;
pub mod revocation;
pub mod scope;
pub mod verified;

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::tenancy::CreatorId;

pub use jwt::{AccessClaims, JwtVerifier};
pub use revocation::Revocations;
pub use scope::{ApiKeyAccess, Scope};

/// Prefix that tells an API key apart from a JWT in an `Authorization: Bearer` header.
pub const API_KEY_PREFIX: &str = "cak_";

/// What a user may do inside their creator (tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The creator's owner: everything, including billing and deletion.
    Owner,
    /// Manages content, clients and settings.
    Admin,
    /// Works with clients and content.
    Coach,
    /// A coachee who chats with the AI coach.
    Client,
}

impl Role {
    /// The role's name as stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Coach => "coach",
            Self::Client => "client",
        }
    }

    /// The role named `name` as stored in the database, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Coach, Self::Client]
            .into_iter()
            .find(|role| role.as_str() == name)
    }

    /// Whether this role manages the tenant (owner or admin).
    pub fn is_manager(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A signed access token with this `jti`.
    AccessToken {
        /// The token's unique id.
        jti: String,
        /// When it was issued, seconds since the epoch.
        issued_at: i64,
    },
    /// An API key with these scopes.
    ApiKey {
        /// The key's id.
        key_id: Uuid,
        /// What the key may do.
        scopes: Vec<Scope>,
    },
}

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user (for API keys: the user who created the key).
    pub user_id: Uuid,
    /// The tenant every query of this request is scoped to.
    pub creator_id: CreatorId,
    /// The user's role within the creator.
    pub role: Role,
    /// How the caller authenticated.
    pub credential: Credential,
}

impl Principal {
    /// Fails with 403 unless the caller runs the tenant (owner, admin or coach): clients chat,
    /// they do not see the library or the settings.
    pub fn require_staff(&self) -> Result<(), AppError> {
        match self.role {
            Role::Owner | Role::Admin | Role::Coach => Ok(()),
            Role::Client => Err(AppError::Forbidden(
                "this needs the owner, admin or coach role; clients only chat".into(),
            )),
        }
    }

    /// Fails with 403 unless the caller manages the tenant.
    pub fn require_manager(&self) -> Result<(), AppError> {
        if self.role.is_manager() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "this action needs the owner or admin role".into(),
            ))
        }
    }
}

/// Resolves an API key to its principal (implemented by the Auth service's key store).
pub trait ApiKeyResolver: Send + Sync {
    /// Returns the key's principal, or 401 when the key is unknown, revoked or expired.
    fn resolve<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Principal, AppError>>;
}

/// Verifies bearer credentials (JWTs locally, API keys through the resolver when configured)
/// and admits them to a route (scopes, revocations).
#[derive(Clone)]
pub struct Authenticator {
    jwt: Arc<JwtVerifier>,
    api_keys: Option<Arc<dyn ApiKeyResolver>>,
    revocations: Arc<Revocations>,
}

impl Authenticator {
    /// An authenticator that accepts access tokens only, checked against `revocations`.
    pub fn new(jwt: Arc<JwtVerifier>, revocations: Arc<Revocations>) -> Self {
        Self {
            jwt,
            api_keys: None,
            revocations,
        }
    }

    /// The verifier of access tokens (the Auth service replaces its keys on rotation).
    pub fn verifier(&self) -> &Arc<JwtVerifier> {
        &self.jwt
    }

    /// The revocations this authenticator checks (deactivation writes to them).
    pub fn revocations(&self) -> &Arc<Revocations> {
        &self.revocations
    }

    /// Also accept API keys, resolved by `resolver`.
    pub fn with_api_keys(mut self, resolver: Arc<dyn ApiKeyResolver>) -> Self {
        self.api_keys = Some(resolver);
        self
    }

    /// Verifies one bearer credential.
    pub async fn authenticate(&self, bearer: &str) -> Result<Principal, AppError> {
        if bearer.starts_with(API_KEY_PREFIX) {
            return match &self.api_keys {
                Some(resolver) => resolver.resolve(bearer).await,
                None => Err(AppError::Unauthorized(
                    "API keys are not accepted here".into(),
                )),
            };
        }
        let claims = self.jwt.verify(bearer).await?;
        Ok(Principal {
            user_id: claims.sub,
            creator_id: CreatorId(claims.creator_id),
            role: claims.role,
            credential: Credential::AccessToken {
                jti: claims.jti,
                issued_at: claims.iat,
            },
        })
    }

    /// Admits a verified principal to a route that accepts API keys as `access` says (none:
    /// access tokens only): 403 for a key without the route's scope, 401 for a revoked
    /// credential, 503 on a management route when revocations cannot be read.
    pub async fn admit(
        &self,
        principal: &Principal,
        access: Option<ApiKeyAccess>,
    ) -> Result<(), AppError> {
        if let Credential::ApiKey { scopes, .. } = &principal.credential {
            check_scope(scopes, access)?;
        }
        let fail_closed = ApiKeyAccess::is_management(access);
        self.revocations.check(principal, fail_closed).await
    }
}

fn check_scope(held: &[Scope], access: Option<ApiKeyAccess>) -> Result<(), AppError> {
    match access {
        Some(ApiKeyAccess::AnyKey) => Ok(()),
        Some(ApiKeyAccess::Scope(needed)) if needed.granted_by(held) => Ok(()),
        Some(ApiKeyAccess::Scope(needed)) => Err(AppError::Forbidden(format!(
            "this API key lacks the `{needed}` scope this endpoint needs"
        ))),
        None => Err(AppError::Forbidden(
            "API keys cannot call this endpoint; sign in as a user".into(),
        )),
    }
}

/// Reads the bearer credential of a request.
pub fn bearer(parts: &Parts) -> Result<&str, AppError> {
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| AppError::Unauthorized("missing `Authorization: Bearer` header".into()))?;
    let text = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("malformed Authorization header".into()))?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(token.trim())
        }
        _ => Err(AppError::Unauthorized(
            "expected `Authorization: Bearer <token>`".into(),
        )),
    }
}

impl<S> FromRequestParts<S> for Principal
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        let authenticator = Authenticator::from_ref(state);
        let access = parts.extensions.get::<ApiKeyAccess>().copied();
        let admitted = async {
            let principal = authenticator.authenticate(bearer(parts)?).await?;
            authenticator.admit(&principal, access).await?;
            Ok::<_, AppError>(principal)
        };
        let principal = match admitted.await {
            Ok(principal) => principal,
            Err(err) => {
                tracing::warn!(reason = %err, path = %parts.uri.path(), "rejected credential");
                return Err(err);
            }
        };
        parts.extensions.insert(principal.clone());
        Ok(principal)
    }
}

#[cfg(test)]
mod tests;
