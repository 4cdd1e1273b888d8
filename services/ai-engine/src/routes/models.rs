//! `GET /api/v1/ai/models` and `POST /api/v1/ai/models/pull`: the model registry and pulls.
//!
//! Reading the registry needs a staff role (owner, admin, coach); API keys need `chat` (or
//! `admin`). Pulling needs the owner or admin role; API keys need `admin`. Models are platform
//! data: every creator sees the same registry.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Extension;
use axum::response::sse::{Event, KeepAlive, Sse};
use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::state::CoreState;
use futures::Stream;
use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::registry::{ModelEntry, ModelRegistry, PullEvent};

#[derive(OpenApi)]
#[openapi(tags((name = "models", description = "The models the Ollama server has, and pulls")))]
struct ApiDoc;

/// The model routes over `registry`, relative to [`crate::PREFIX`].
pub fn api(state: CoreState, registry: Arc<ModelRegistry>) -> OpenApiRouter {
    let read = require_scope(
        OpenApiRouter::new().routes(routes!(list_models)),
        Scope::Chat,
    );
    let pull = require_scope(
        OpenApiRouter::new().routes(routes!(pull_model)),
        Scope::Admin,
    );
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(read)
        .merge(pull)
        .layer(Extension(registry))
        .with_state(state)
}

/// `POST /models/pull`: the model to pull.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "llama3.2:3b"}))]
pub struct PullRequest {
    /// An Ollama model name: 1–200 of `A-Z a-z 0-9 . _ : / -`.
    #[garde(custom(model_name))]
    pub name: String,
}

/// The data of a `progress` event of a pull.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "pulling 4b5d7e0c2f1a", "completed": 36202000,
    "total": 144808000}))]
pub struct PullProgress {
    /// What Ollama is doing.
    pub status: String,
    /// Bytes done of the current layer.
    pub completed: Option<u64>,
    /// Bytes of the current layer.
    pub total: Option<u64>,
}

/// An Ollama model name: 1–200 of `A-Z a-z 0-9 . _ : / -`.
fn model_name(value: &str, _: &()) -> garde::Result {
    let ok = (1..=200).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a model name such as `llama3.2:3b` (letters, digits, `._:/-`)",
        ))
    }
}

/// Every model the registry knows, by name, with its status (`available`, `pulling`,
/// `missing`, `failed`) and what Ollama reports of it.
#[utoipa::path(
    get, path = "/models", tag = "models",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the registry, by name", body = Vec<ModelEntry>),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "a client, or an API key without `chat`", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn list_models(
    principal: Principal,
    Extension(registry): Extension<Arc<ModelRegistry>>,
) -> Result<ApiJson<Vec<ModelEntry>>, AppError> {
    principal.require_staff()?;
    Ok(ApiJson(registry.models().await?))
}

/// Pulls a model into Ollama and streams its progress as server-sent events: `progress`
/// events (`status`, `completed`, `total`), then one `done` event with the model's registry
/// row, or one `error` event whose data is a problem document (404 for a model Ollama's
/// library does not have, 503 for a pull that broke off). The row is `pulling` during the
/// pull and `available` or `failed` after, even if the client disconnects. Ollama itself
/// tells an unknown model only once the pull has begun, so that is an `error` event, not a 404.
#[utoipa::path(
    post, path = "/models/pull", tag = "models",
    request_body = PullRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "the event stream: `progress` (data: PullProgress), then `done` (data: ModelEntry) or `error` (data: Problem)", body = PullProgress, content_type = "text/event-stream"),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "not the owner or an admin, or an API key without `admin`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`name` is not a model name", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Ollama cannot be reached or refused the pull", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn pull_model(
    principal: Principal,
    Extension(registry): Extension<Arc<ModelRegistry>>,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    principal.require_manager()?;
    let receiver = registry.start_pull(&request.name).await?;
    let events = futures::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        Some((Ok(sse_event(event)), receiver))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

fn sse_event(event: PullEvent) -> Event {
    let (name, data) = match event {
        PullEvent::Progress {
            status,
            completed,
            total,
        } => (
            "progress",
            serde_json::to_string(&PullProgress {
                status,
                completed,
                total,
            }),
        ),
        PullEvent::Done(entry) => ("done", serde_json::to_string(&entry)),
        PullEvent::Failed(failure) => (
            "error",
            serde_json::to_string(&AppError::from(failure).problem()),
        ),
    };
    Event::default().event(name).data(data.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_checked_like_the_hubs() {
        assert!(model_name("llama3.2:3b", &()).is_ok());
        assert!(model_name("library/smollm2:135m", &()).is_ok());
        assert!(model_name("llama; rm -rf /", &()).is_err());
        assert!(model_name("", &()).is_err());
        assert!(model_name(&"a".repeat(201), &()).is_err());
    }
}
