//! `ApiQuery<T>`: the query-string extractor of every endpoint, and the page size rule of every
//! keyset listing. A query string that does not parse (an unknown filter value, a number that is
//! not one, an unknown parameter when the model denies them) is a 400 problem naming it, never
//! axum's plain-text rejection.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A parsed query string, or a 400 problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        Ok(Self(value))
    }
}

/// The page size of a listing: `limit` when given and within 1..=`max`, else `default`; a
/// `limit` outside that range is a 400 problem stating it.
pub fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    let limit = limit.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(AppError::BadRequest(format!(
            "`limit` must be between 1 and {max}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Params {
        limit: Option<u32>,
    }

    async fn parse(uri: &str) -> Result<ApiQuery<Params>, AppError> {
        let (mut parts, ()) = Request::get(uri).body(()).unwrap_or_default().into_parts();
        ApiQuery::<Params>::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn a_query_that_does_not_parse_is_a_400_problem_naming_it() {
        assert_eq!(
            parse("/x?limit=5").await.map(|q| q.0.limit).ok(),
            Some(Some(5))
        );
        let bad = parse("/x?limit=five")
            .await
            .err()
            .map(|e| e.status().as_u16());
        assert_eq!(bad, Some(400));
        let unknown = parse("/x?colour=red").await.err().map(|e| e.to_string());
        assert!(unknown.unwrap_or_default().contains("colour"));
    }

    #[test]
    fn the_page_size_defaults_and_must_stay_in_range() {
        assert_eq!(page_limit(None, 20, 100).ok(), Some(20));
        assert_eq!(page_limit(Some(100), 20, 100).ok(), Some(100));
        for bad in [0, 101] {
            let err = page_limit(Some(bad), 20, 100).err().map(|e| e.to_string());
            assert!(err.unwrap_or_default().contains("between 1 and 100"));
        }
    }
}
