//! The operator's own HTTP endpoints: `/healthz` (the process runs), `/readyz` (the Kubernetes
//! API answers) and `/metrics` (Prometheus: reconciles by kind and result, their durations).

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use kube::Api;

use crate::context::Context;
use crate::crd::Creator;

/// The router of the operator's endpoints.
pub fn router(ctx: Arc<Context>) -> Router {
    coachai_common::telemetry::prometheus();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(coachai_common::telemetry::metrics_handler))
        .with_state(ctx)
}

async fn ready(State(ctx): State<Arc<Context>>) -> (StatusCode, &'static str) {
    let creators: Api<Creator> = Api::all(ctx.client.clone());
    let params = kube::api::ListParams::default().limit(1);
    match creators.list_metadata(&params).await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the Kubernetes API does not answer",
        ),
    }
}
