//! [`CreatorScoped`] and [`ScopedPrincipal`]: the tenant of a route that names its creator,
//! `/{creator_id}/...`.
//!
//! The creator in the URL must be the verified principal's own; any other id answers 404 with
//! no data (never 403, which would confirm the creator exists). The transaction is scoped to the
//! principal's creator, so even a handler that used the URL's id could not reach another tenant.

use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{Authenticator, Principal};
use crate::error::AppError;
use crate::tenancy::{Db, TenantTx};

/// A verified principal whose creator is the one the path names, with its transaction.
#[derive(Debug)]
pub struct CreatorScoped {
    /// Who is calling.
    pub principal: Principal,
    /// The transaction scoped to the principal's (and the path's) creator.
    pub tx: TenantTx,
}

/// A verified principal whose creator is the one the path names, without a transaction (for
/// handlers that may answer from the cache and open one only when they must).
#[derive(Debug, Clone)]
pub struct ScopedPrincipal(pub Principal);

#[derive(Deserialize)]
struct CreatorParam {
    creator_id: String,
}

/// The answer for a creator that is not the caller's, whether or not it exists.
pub fn no_such_creator() -> AppError {
    AppError::NotFound("no such creator".into())
}

impl<S> FromRequestParts<S> for ScopedPrincipal
where
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let Path(param) = Path::<CreatorParam>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("the path names no creator".into()))?;
        let named = param
            .creator_id
            .parse::<Uuid>()
            .map_err(|_| AppError::BadRequest("the creator id in the path is not a UUID".into()))?;
        if named != principal.creator_id.0 {
            return Err(no_such_creator());
        }
        Ok(Self(principal))
    }
}

impl<S> FromRequestParts<S> for CreatorScoped
where
    Db: FromRef<S>,
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ScopedPrincipal(principal) = ScopedPrincipal::from_request_parts(parts, state).await?;
        let tx = Db::from_ref(state).begin_for(principal.creator_id).await?;
        Ok(Self { principal, tx })
    }
}
