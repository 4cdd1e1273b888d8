//! `GET /api/v1/creators/{creator_id}/stats?from=&to=`: what a coach's library holds now and how
//! much their clients talked in a period.

use chrono::{DateTime, Duration, Utc};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::ApiQuery;
use coachai_common::scoped::CreatorScoped;
use coachai_common::{AppError, FieldError};
use serde::Deserialize;

use crate::models::stats::Stats;
use crate::store::stats;

/// The longest period one request may cover.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The period, as RFC 3339 timestamps; both optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// Start, inclusive (default: 30 days before `to`).
    pub from: Option<String>,
    /// End, exclusive (default: now).
    pub to: Option<String>,
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Validation(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

fn timestamp(field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    value
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| {
                    invalid(
                        field,
                        "must be an RFC 3339 time such as 2026-11-01T00:00:00Z",
                    )
                })
        })
        .transpose()
}

impl Period {
    /// The bounds, checked: `from` before `to`, at most [`MAX_PERIOD_DAYS`] apart.
    pub fn bounds(&self, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
        let to = timestamp("to", self.to.as_deref())?.unwrap_or(now);
        let from = timestamp("from", self.from.as_deref())?.unwrap_or(to - Duration::days(30));
        if from >= to {
            return Err(invalid("from", "must be before `to`"));
        }
        if to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(invalid("from", "the period may cover at most 366 days"));
        }
        Ok((from, to))
    }
}

/// Documents by status, chunks and storage now; conversations and messages in the period
/// (owner, admin, coach).
#[utoipa::path(
    get, path = "/{creator_id}/stats", tag = "stats",
    params(("creator_id" = Uuid, Path, description = "the caller's own creator"), Period),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the figures", body = Stats),
        (status = 403, description = "a client, or an API key without `content:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "not the caller's creator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "an invalid or too long period", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn get_stats(
    scoped: CreatorScoped,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<ApiJson<Stats>, AppError> {
    let CreatorScoped { principal, mut tx } = scoped;
    principal.require_staff()?;
    let (from, to) = period.bounds(Utc::now())?;
    let figures = stats::load(&mut tx, from, to).await?;
    tx.commit().await?;
    Ok(ApiJson(figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(from: Option<&str>, to: Option<&str>) -> Period {
        Period {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        }
    }

    #[test]
    fn the_default_period_is_the_last_thirty_days() {
        let now = Utc::now();
        let (from, to) = period(None, None).bounds(now).unwrap();
        assert_eq!((to, to - from), (now, Duration::days(30)));
    }

    #[test]
    fn bad_backwards_and_overlong_periods_are_refused() {
        let now = Utc::now();
        assert!(period(Some("yesterday"), None).bounds(now).is_err());
        let backwards = period(Some("2026-11-02T00:00:00Z"), Some("2026-11-01T00:00:00Z"));
        assert!(backwards.bounds(now).is_err());
        let long = period(Some("2024-01-01T00:00:00Z"), Some("2026-01-01T00:00:00Z"));
        assert!(long.bounds(now).is_err());
        let fine = period(
            Some("2026-11-01T00:00:00+01:00"),
            Some("2026-11-02T00:00:00Z"),
        );
        assert!(fine.bounds(now).is_ok());
    }
}
