//! [`IdPath`]: a UUID path segment whose rejection is a problem+json 400 like every other
//! error (axum's own `Path` rejection is plain text).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use coachai_common::AppError;
use uuid::Uuid;

/// The `{id}` of a route, parsed as a UUID.
#[derive(Debug, Clone, Copy)]
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<Uuid>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Self(id))
            .map_err(|_| AppError::BadRequest("the id in the path is not a UUID".into()))
    }
}
