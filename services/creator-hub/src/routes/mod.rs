//! The HTTP routes of the Creator Hub, each documented in the OpenAPI document.

mod content;
mod content_body;
mod content_item;
mod profile;
mod stats;
mod upload;

use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use coachai_common::AppError;
use coachai_common::audit::Origin;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::state::CoreState;
use serde::Deserialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub use profile::{PROFILE_KEY, PROFILE_TTL};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "profile", description = "The creator's profile, settings, quotas and usage"),
    (name = "content", description = "The content library the AI coach reads"),
    (name = "stats", description = "Figures of the library and the conversations")
))]
struct ApiDoc;

/// The business routes, relative to [`crate::PREFIX`], with their OpenAPI description.
/// Reading needs `content:read` from an API key, changing content `content:write`, changing
/// settings `admin`.
pub fn api(state: CoreState) -> OpenApiRouter {
    let read = require_scope(
        OpenApiRouter::new()
            .routes(routes!(profile::get_profile))
            .routes(routes!(content::list_content))
            .routes(routes!(content_item::get_content))
            .routes(routes!(content_item::get_chunks))
            .routes(routes!(stats::get_stats)),
        Scope::ContentRead,
    );
    let write = require_scope(
        OpenApiRouter::new().merge(uploads()).routes(routes!(
            content_item::patch_content,
            content_item::delete_content
        )),
        Scope::ContentWrite,
    );
    let admin = require_scope(
        OpenApiRouter::new().routes(routes!(profile::patch_profile)),
        Scope::Admin,
    );
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(read)
        .merge(write)
        .merge(admin)
        .with_state(state)
}

/// The routes that take an upload's forms, multipart ones up to the file limit.
fn uploads() -> OpenApiRouter<CoreState> {
    OpenApiRouter::new()
        .routes(routes!(content::create_content))
        .routes(routes!(content_body::put_body))
        .route_layer(axum::middleware::from_fn(upload::upload_limit))
}

/// What the audit row records of the request (the client address is the gateway's to tell).
fn request_origin(headers: &HeaderMap) -> Origin {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect())
    };
    Origin {
        ip: None,
        user_agent: header("user-agent"),
        request_id: header("x-request-id"),
    }
}

/// The `{content_id}` of a content route; a value that is not a UUID is a 400 problem.
struct ContentId(Uuid);

#[derive(Deserialize)]
struct ContentParam {
    content_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ContentId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(param) = Path::<ContentParam>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("the path names no content".into()))?;
        param
            .content_id
            .parse()
            .map(Self)
            .map_err(|_| AppError::BadRequest("the content id in the path is not a UUID".into()))
    }
}
