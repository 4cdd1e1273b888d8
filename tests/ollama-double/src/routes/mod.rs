//! The HTTP surface: Ollama's routes behind one layer that records, delays and injects faults.

mod embed;
mod generate;
mod models;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::de::DeserializeOwned;

use crate::fault::{Endpoint, Fault};
use crate::server::ConnectionHandle;
use crate::state::{RecordedRequest, Shared};
use crate::stream::Pace;

/// Errors answered as Ollama does: a status and `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("model \"{0}\" not found, try pulling it first")]
    ModelNotFound(String),
    #[error("\"{model}\" does not support {what}")]
    Unsupported { model: String, what: &'static str },
    #[error("pull model manifest: file does not exist")]
    ManifestMissing,
    #[error("input length exceeds the context length")]
    InputTooLong,
    #[error("{0}")]
    BadRequest(String),
    #[error("injected fault: the model runner failed")]
    Injected,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            Self::ModelNotFound(_) => StatusCode::NOT_FOUND,
            Self::Unsupported { .. } | Self::InputTooLong | Self::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::ManifestMissing | Self::Injected => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}

/// What the fault layer tells a handler about the stream it may send.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Injected {
    extra_interval: Duration,
    reset_after: Option<usize>,
}

/// The pace of a stream: the token rate plus any injected slowness and mid-stream reset.
pub(crate) fn pace(shared: &Shared, injected: Injected) -> Pace {
    Pace {
        interval: shared.lock().token_interval() + injected.extra_interval,
        reset_after: injected.reset_after,
    }
}

/// A JSON request body, or 400 like Ollama.
pub(crate) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest("missing request body".to_owned()));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// Now, as Ollama writes `created_at`.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// The router serving Ollama's API from `shared`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { "Ollama is running" }))
        .route("/api/version", get(models::version))
        .route("/api/tags", get(models::tags))
        .route("/api/show", post(models::show))
        .route("/api/pull", post(models::pull))
        .route("/api/delete", delete(models::delete))
        .route("/api/chat", post(generate::chat))
        .route("/api/generate", post(generate::generate))
        .route("/api/embed", post(embed::embed))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found") })
        .layer(middleware::from_fn_with_state(shared.clone(), intercept))
        .with_state(shared)
}

/// Records the request, waits the configured latency, then applies the fault in force.
async fn intercept(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let endpoint = Endpoint::from_path(request.uri().path());
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let (fault, latency) = {
        let mut inner = shared.lock();
        inner.requests.push(RecordedRequest {
            endpoint,
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        });
        (inner.faults.take(endpoint), inner.latency)
    };
    sleep(latency).await;
    let connection = parts.extensions.get::<ConnectionHandle>().cloned();
    let injected = match apply(fault, connection).await {
        Ok(injected) => injected,
        Err(response) => return response,
    };
    let mut request = Request::from_parts(parts, Body::from(body));
    request.extensions_mut().insert(injected);
    next.run(request).await
}

/// Acts on `fault`: an early response, a wait forever, or what the handler must do.
async fn apply(fault: Fault, connection: Option<ConnectionHandle>) -> Result<Injected, Response> {
    match fault {
        Fault::None => Ok(Injected::default()),
        Fault::Status500 => Err(ApiError::Injected.into_response()),
        Fault::Hang => std::future::pending().await,
        Fault::ResetConnection => {
            if let Some(connection) = connection {
                connection.reset();
            }
            std::future::pending().await
        }
        Fault::Slow(delay) => {
            sleep(delay).await;
            Ok(Injected {
                extra_interval: delay,
                reset_after: None,
            })
        }
        Fault::ResetAfterLines(lines) => Ok(Injected {
            extra_interval: Duration::ZERO,
            reset_after: Some(lines),
        }),
    }
}

async fn sleep(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}
