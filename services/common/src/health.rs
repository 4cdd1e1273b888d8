//! `GET <prefix>health`: dependency checks summarised as `healthy`, `degraded` or `unhealthy`.
//!
//! A failing *required* check (PostgreSQL for most services) answers 503 `unhealthy`; a failing
//! *optional* one (Redis, ChromaDB, Ollama) answers 200 `degraded`, because the platform keeps
//! serving in its documented degraded modes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures::future::{BoxFuture, join_all};
use serde::Serialize;

/// One dependency probe.
pub trait Check: Send + Sync {
    /// Probes the dependency; `Err` carries a short reason.
    fn probe(&self) -> BoxFuture<'_, Result<(), String>>;
}

/// Probes PostgreSQL with `SELECT 1`.
pub struct Postgres(pub sqlx::PgPool);

impl Check for Postgres {
    fn probe(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            sqlx::query("SELECT 1")
                .execute(&self.0)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
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
    fn probe(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let response = self
                .client
                .get(&self.url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            response
                .error_for_status()
                .map(|_| ())
                .map_err(|e| e.to_string())
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
    /// Why the probe failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The body of `GET <prefix>health`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

    /// Runs every probe concurrently, each bounded by the timeout.
    pub async fn report(&self) -> HealthReport {
        let probes = self.entries.iter().map(|entry| async move {
            let started = Instant::now();
            let outcome = tokio::time::timeout(self.timeout, entry.check.probe()).await;
            let error = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(reason)) => Some(reason),
                Err(_) => Some(format!("no answer within {:?}", self.timeout)),
            };
            let report = CheckReport {
                status: if error.is_none() { "up" } else { "down" },
                required: entry.required,
                latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                error,
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
            .any(|c| c.required == required && c.error.is_some())
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

    struct Fixed(Result<(), String>);

    impl Check for Fixed {
        fn probe(&self) -> BoxFuture<'_, Result<(), String>> {
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
    async fn optional_down_is_degraded() {
        let health = Health::new("auth")
            .required("postgres", Fixed(Ok(())))
            .optional("redis", Fixed(Err("refused".into())));
        let report = health.report().await;
        assert_eq!(report.status, "degraded");
        assert_eq!(report.checks["redis"].error.as_deref(), Some("refused"));
    }

    #[tokio::test]
    async fn required_down_is_unhealthy_and_503() {
        let health = Health::new("auth").required("postgres", Fixed(Err("gone".into())));
        let response = health.report().await.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
