//! The HTTP routes of the AI Engine, each documented in the OpenAPI document. The tenant comes
//! from the verified token (no creator id in the path).

pub mod chat;
pub mod conversations;
pub mod models;
mod prompt_preview;
mod prompts;

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use coachai_common::AppError;
use coachai_common::audit::{Actor, Origin};
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::auth::{Credential, Principal};
use coachai_common::state::CoreState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::prompts::{PromptError, valid_name};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "prompts", description = "Prompt templates: versions, activation, preview")
))]
struct ApiDoc;

/// The business routes, relative to [`crate::PREFIX`], with their OpenAPI description.
/// API keys read and preview templates with `content:read` (like the rest of the creator's
/// configuration) and change them with `admin`.
pub fn api(state: CoreState) -> OpenApiRouter {
    let read = require_scope(
        OpenApiRouter::new()
            .routes(routes!(prompts::list_prompts))
            .routes(routes!(prompt_preview::preview_prompt)),
        Scope::ContentRead,
    );
    let admin = require_scope(
        OpenApiRouter::new()
            .routes(routes!(prompts::create_prompt))
            .routes(routes!(prompts::create_version))
            .routes(routes!(prompts::activate_version)),
        Scope::Admin,
    );
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(read)
        .merge(admin)
        .with_state(state)
}

/// Who the audit row names: the user, or the user whose API key acted.
fn actor(principal: &Principal) -> Actor {
    match principal.credential {
        Credential::ApiKey { .. } => Actor::ApiKey {
            user: principal.user_id,
        },
        Credential::AccessToken { .. } => Actor::User(principal.user_id),
    }
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

/// The `{name}` (and `{version}`) of a template route. A name that cannot exist is a 404 like
/// an absent one; a version that is not a positive integer is a 400 problem.
struct TemplatePath {
    name: String,
    version: Option<i32>,
}

impl<S: Send + Sync> FromRequestParts<S> for TemplatePath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::BadRequest("the path names no template".into()))?;
        let name = params.remove("name").unwrap_or_default();
        if !valid_name(&name) {
            return Err(PromptError::UnknownTemplate(name).into());
        }
        let version = params
            .remove("version")
            .map(|v| match v.parse::<i32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(AppError::BadRequest(
                    "the version in the path is not a positive integer".into(),
                )),
            })
            .transpose()?;
        Ok(Self { name, version })
    }
}
