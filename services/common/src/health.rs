//! `GET <prefix>health`: dependency checks summarised as `healthy`, `degraded` or `unhealthy`.
//!
//! A failing *required* check (PostgreSQL for most services) answers 503 `unhealthy`; a failing
//! *optional* one (Redis, ChromaDB, Ollama) answers 200 `degraded`, because the platform keeps
//! serving in its documented degraded modes.
//!
//! The endpoint answers anyone, so a failed check says only what kind of failure it was
//! (`unreachable`, `unexpected answer`, `timed out`); the driver's error, with its addresses and
//! ports, goes to the log.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, join_all};
use serde::Serialize;

/// Why a probe failed: the kind is reported, the cause only logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// Nothing answered, or the connection failed.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// It answered, but not as a healthy dependency does (an error status, a refused query).
    #[error("unexpected answer: {0}")]
    BadAnswer(String),
}

impl ProbeError {
    /// The stable words a health report shows for this failure.
    pub fn detail(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "unreachable",
            Self::BadAnswer(_) => "unexpected answer",
        }
    }
}

/// What a health report says of a probe that did not answer within the timeout.
const TIMED_OUT: &str = "timed out";

/// One dependency probe.
pub trait Check: Send + Sync {
    /// Probes the dependency; the error carries the cause, for the log only.
    fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>>;
}

/// Probes PostgreSQL with `SELECT 1`.
pub struct Postgres(pub sqlx::PgPool);

impl Check for Postgres {
    fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>> {
        Box::pin(async move {
            sqlx::query("SELECT 1")
                .execute(&self.0)
                .await
                .map(|_| ())
                .map_err(|err| match err {
                    sqlx::Error::Database(db) => ProbeError::BadAnswer(db.to_string()),
                    other => ProbeError::Unreachable(other.to_string()),
                })
        })
    }
}

/// Probes an HTTP dependency with a GET that must answer 2xx.
pub struct HttpGet {
    url: String,
    client: reqwest::Client,
}

impl HttpGet {
    /// A probe of `url`.
    pub fn new(url: impl Into<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap_or_default();
        Self {
            url: url.into(),
            client,
        }
    }
}

impl Check for HttpGet {
    fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>> {
        Box::pin(async move {
            let response = self
                .client
                .get(&self.url)
                .send()
                .await
                .map_err(|e| ProbeError::Unreachable(e.to_string()))?;
            response
                .error_for_status()
                .map(|_| ())
                .map_err(|e| ProbeError::BadAnswer(e.to_string()))
        })
    }
}

struct Entry {
    name: &'static str,
    required: bool,
    check: Arc<dyn Check>,
}

/// The health endpoint of one service.
pub struct Health {
    service: &'static str,
    entries: Vec<Entry>,
    timeout: Duration,
}

/// The state of one dependency in a health report.
#[derive(Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CheckReport {
    /// `up` or `down`.
    pub status: &'static str,
    /// Whether the service is unhealthy without it.
    pub required: bool,
    /// How long the probe took.
    pub latency_ms: u64,
    /// What kind of failure, when down: `unreachable`, `unexpected answer` or `timed out`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'static str>,
}

/// The body of `GET <prefix>health`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": "degraded", "service": "creator-hub",
    "timestamp": "2026-11-27T14:05:09Z",
    "checks": {"postgres": {"status": "up", "required": true, "latency_ms": 2},
        "redis": {"status": "down", "required": false, "latency_ms": 500,
            "detail": "timed out"}}}))]
pub struct HealthReport {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: &'static str,
    /// The service name.
    pub service: &'static str,
    /// When the report was made (RFC 3339).
    pub timestamp: String,
    /// One entry per dependency.
    pub checks: BTreeMap<&'static str, CheckReport>,
}

impl Health {
    /// A health endpoint for `service` with no checks yet.
    pub fn new(service: &'static str) -> Self {
        Self {
            service,
            entries: Vec::new(),
            timeout: Duration::from_secs(2),
        }
    }

    /// Adds a dependency the service cannot work without.
    pub fn required(mut self, name: &'static str, check: impl Check + 'static) -> Self {
        self.entries.push(Entry {
            name,
            required: true,
            check: Arc::new(check),
        });
        self
    }

    /// Adds a dependency the service can degrade without.
    pub fn optional(mut self, name: &'static str, check: impl Check + 'static) -> Self {
        self.entries.push(Entry {
            name,
            required: false,
            check: Arc::new(check),
        });
        self
    }

    /// Runs every probe concurrently, each bounded by the timeout; failures are logged with
    /// their cause.
    pub async fn report(&self) -> HealthReport {
        let probes = self.entries.iter().map(|entry| async move {
            let started = Instant::now();
            let outcome = tokio::time::timeout(self.timeout, entry.check.probe()).await;
            let detail = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(err)) => {
                    tracing::warn!(check = entry.name, error = %err, "health check failed");
                    Some(err.detail())
                }
                Err(_) => {
                    tracing::warn!(check = entry.name, timeout = ?self.timeout, "health check timed out");
                    Some(TIMED_OUT)
                }
            };
            let report = CheckReport {
                status: if detail.is_none() { "up" } else { "down" },
                required: entry.required,
                latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                detail,
            };
            (entry.name, report)
        });
        let checks: BTreeMap<_, _> = join_all(probes).await.into_iter().collect();
        HealthReport {
            status: overall(&checks),
            service: self.service,
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            checks,
        }
    }
}

fn overall(checks: &BTreeMap<&'static str, CheckReport>) -> &'static str {
    let down = |required: bool| {
        checks
            .values()
            .any(|c| c.required == required && c.detail.is_some())
    };
    if down(true) {
        "unhealthy"
    } else if down(false) {
        "degraded"
    } else {
        "healthy"
    }
}

impl IntoResponse for HealthReport {
    fn into_response(self) -> Response {
        let status = if self.status == "unhealthy" {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        };
        (status, axum::Json(self)).into_response()
    }
}

/// Reports the service's health.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    responses(
        (status = 200, description = "healthy or degraded", body = HealthReport),
        (status = 503, description = "a required dependency is down", body = HealthReport)
    )
)]
pub async fn health(Extension(health): Extension<Arc<Health>>) -> HealthReport {
    health.report().await
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Result<(), ProbeError>);

    impl Check for Fixed {
        fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>> {
            let outcome = self.0.clone();
            Box::pin(async move { outcome })
        }
    }

    #[tokio::test]
    async fn all_up_is_healthy() {
        let health = Health::new("auth").required("postgres", Fixed(Ok(())));
        assert_eq!(health.report().await.status, "healthy");
    }

    #[tokio::test]
    async fn optional_down_is_degraded_and_names_the_kind_of_failure_only() {
        let cause = "Connection refused (os error 111) at 10.0.0.7:6379";
        let health = Health::new("auth")
            .required("postgres", Fixed(Ok(())))
            .optional("redis", Fixed(Err(ProbeError::Unreachable(cause.into()))));
        let report = health.report().await;
        assert_eq!(report.status, "degraded");
        assert_eq!(report.checks["redis"].detail, Some("unreachable"));
        let body = serde_json::to_string(&report).unwrap();
        assert!(
            !body.contains("10.0.0.7") && !body.contains("os error"),
            "{body}"
        );
    }

    struct Silent;

    impl Check for Silent {
        fn probe(&self) -> BoxFuture<'_, Result<(), ProbeError>> {
            Box::pin(futures::future::pending())
        }
    }

    #[tokio::test]
    async fn a_probe_without_an_answer_is_down_as_timed_out() {
        let mut health = Health::new("auth").optional("chroma", Silent);
        health.timeout = Duration::from_millis(10);
        assert_eq!(
            health.report().await.checks["chroma"].detail,
            Some("timed out")
        );
    }

    #[tokio::test]
    async fn required_down_is_unhealthy_and_503() {
        let gone = ProbeError::BadAnswer("FATAL: database \"coachai\" does not exist".into());
        let health = Health::new("auth").required("postgres", Fixed(Err(gone)));
        let response = health.report().await.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
