//! Assembles a service's HTTP surface and serves it.
//!
//! Every service gets the same outer shell: `<prefix>health`, `<prefix>openapi.json`,
//! `/metrics`, problem+json for unknown routes and panics, a body limit, request ids
//! (`x-request-id`, generated when absent and echoed back), request tracing and metrics, and
//! graceful shutdown on SIGTERM or Ctrl-C.

use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::health::{self, Health};
use crate::telemetry;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What a service contributes to its HTTP surface.
pub struct ServiceParts {
    /// Service name, as in health reports and logs (`auth`, `creator-hub`, ...).
    pub service: &'static str,
    /// URL prefix without trailing slash, e.g. `/api/v1/auth`.
    pub prefix: &'static str,
    /// The business routes, paths relative to the prefix, state already applied.
    pub api: OpenApiRouter,
    /// The service's dependency checks.
    pub health: Health,
    /// Largest request body accepted by default, in bytes.
    pub body_limit: usize,
    /// Routes outside the prefix (web pages and their assets), state already applied; they get
    /// the same request ids, tracing, metrics and problem+json fallbacks as the API.
    pub pages: Option<Router>,
}

/// Builds the complete router of a service.
pub fn service_router(parts: ServiceParts) -> Router {
    // Install the recorder before the first request so nothing goes unrecorded.
    telemetry::prometheus();
    let api = parts.api.routes(routes!(health::health));
    let (router, mut openapi) = OpenApiRouter::new()
        .nest(parts.prefix, api)
        .split_for_parts();
    describe(&mut openapi.info, parts.service);
    let openapi: Arc<OpenApi> = Arc::new(openapi);
    let router = match parts.pages {
        Some(pages) => router.merge(pages),
        None => router,
    };
    router
        .route(
            &format!("{}/openapi.json", parts.prefix),
            get(move || serve_openapi(openapi)),
        )
        .route("/metrics", get(telemetry::metrics_handler))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(Arc::new(parts.health)))
        .layer(DefaultBodyLimit::max(parts.body_limit))
        .layer(middleware::from_fn(telemetry::track))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The document's `info` says which CoachAI service it is (the router's default would name the
/// `utoipa-axum` crate, its author and licence).
fn describe(info: &mut utoipa::openapi::Info, service: &str) {
    info.title = format!("CoachAI {service} service");
    info.version = env!("CARGO_PKG_VERSION").to_owned();
    info.description = Some(format!(
        "The {service} service of CoachAI. Errors are RFC 9457 problem+json; the protocol \
         and the rules of each route are in docs/03-api-specifications/."
    ));
    info.contact = None;
    info.license = Some(utoipa::openapi::License::new(env!("CARGO_PKG_LICENSE")));
}

async fn serve_openapi(openapi: Arc<OpenApi>) -> Response {
    axum::Json(openapi.as_ref().clone()).into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound("no such endpoint".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed("this endpoint does not accept that HTTP method".into())
}

fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    AppError::internal("handler panicked").into_response()
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id)
}

/// Why a service could not start serving.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr}: {source}")]
pub struct BindError {
    addr: String,
    source: std::io::Error,
}

/// Binds `addr` and serves `router` until SIGTERM or Ctrl-C, then drains in-flight requests.
pub async fn serve(router: Router, addr: &str) -> Result<(), BindError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| BindError {
            addr: addr.to_owned(),
            source,
        })?;
    tracing::info!(%addr, "listening");
    let app = router.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| BindError {
            addr: addr.to_owned(),
            source,
        })
}

/// Resolves on SIGTERM (Kubernetes) or Ctrl-C (a terminal).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    futures::future::select(Box::pin(ctrl_c), Box::pin(terminate())).await;
    tracing::info!("shutting down");
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}
