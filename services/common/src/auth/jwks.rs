//! Fetching a JWKS and how long it may be cached (`Cache-Control: max-age`, RFC 9111).

use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use reqwest::header::CACHE_CONTROL;

use super::jwt::{MAX_KEY_AGE, MIN_REFETCH};
use crate::error::AppError;

/// GETs the key set at `url` with the time it may be used: its `max-age` bounded to
/// [`MIN_REFETCH`]..=[`MAX_KEY_AGE`]; `MAX_KEY_AGE` when the header says nothing usable.
pub(super) async fn fetch(
    http: &reqwest::Client,
    url: &str,
) -> Result<(JwkSet, Duration), AppError> {
    let response = http
        .get(url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(AppError::internal)?;
    let max_age = response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|value| value.to_str().ok())
        .map_or(MAX_KEY_AGE, cache_lifetime);
    let jwks = response.json().await.map_err(AppError::internal)?;
    Ok((jwks, max_age))
}

/// How long a response with this `Cache-Control` value may be reused by the verifier.
pub(super) fn cache_lifetime(cache_control: &str) -> Duration {
    let directives = || cache_control.split(',').map(str::trim);
    if directives()
        .any(|d| d.eq_ignore_ascii_case("no-store") || d.eq_ignore_ascii_case("no-cache"))
    {
        return MIN_REFETCH;
    }
    directives()
        .filter_map(|d| d.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("max-age"))
        .and_then(|(_, secs)| secs.trim().trim_matches('"').parse::<u64>().ok())
        .map_or(MAX_KEY_AGE, |secs| {
            Duration::from_secs(secs).clamp(MIN_REFETCH, MAX_KEY_AGE)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_honoured_within_bounds() {
        assert_eq!(
            cache_lifetime("public, max-age=60"),
            Duration::from_secs(60)
        );
        assert_eq!(cache_lifetime("max-age=1"), MIN_REFETCH);
        assert_eq!(cache_lifetime("max-age=86400"), MAX_KEY_AGE);
        assert_eq!(
            cache_lifetime("Max-Age=\"30\", public"),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn a_missing_or_unusable_max_age_means_the_longest_lifetime_and_no_store_the_shortest() {
        assert_eq!(cache_lifetime("public"), MAX_KEY_AGE);
        assert_eq!(cache_lifetime("max-age=soon"), MAX_KEY_AGE);
        assert_eq!(cache_lifetime("no-store"), MIN_REFETCH);
    }
}
