//! The HTTP routes of the Creator Hub, each documented in the OpenAPI document.

mod profile;

use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::state::CoreState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use profile::{PROFILE_KEY, PROFILE_TTL};

#[derive(OpenApi)]
#[openapi(tags(
    (name = "profile", description = "The creator's profile, settings, quotas and usage")
))]
struct ApiDoc;

/// The business routes, relative to [`crate::PREFIX`], with their OpenAPI description.
/// Reading needs `content:read` from an API key; changing settings needs `admin`.
pub fn api(state: CoreState) -> OpenApiRouter {
    let read = require_scope(
        OpenApiRouter::new().routes(routes!(profile::get_profile)),
        Scope::ContentRead,
    );
    let admin = require_scope(
        OpenApiRouter::new().routes(routes!(profile::patch_profile)),
        Scope::Admin,
    );
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(read)
        .merge(admin)
        .with_state(state)
}
