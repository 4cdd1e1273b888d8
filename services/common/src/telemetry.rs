//! Structured logs (tracing, JSON by default) and Prometheus metrics for every service.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber: JSON lines unless `format` is `pretty`; the level comes
/// from `RUST_LOG` (default `info`). Safe to call more than once.
pub fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = if format == "pretty" {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    };
}

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder, installed on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is already global (only happens in tests): keep a private one.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// `GET /metrics`: the Prometheus text exposition.
pub async fn metrics_handler() -> String {
    prometheus().render()
}

/// Middleware counting requests and timing them per route template (not per raw path, so ids
/// in URLs cannot explode the label set).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}
