//! The messaging routes, relative to [`crate::PREFIX`]: management (owner or admin; API keys
//! need the `admin` scope) and the two inbound webhooks (no credential: the secret token or
//! the signature is the proof).

use std::sync::Arc;

use axum::Extension;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::state::CoreState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Messaging;
use super::deliveries::{__path_list_deliveries, __path_redeliver, list_deliveries, redeliver};
use super::inbound::{
    __path_signed_webhook, __path_telegram_webhook, signed_webhook, telegram_webhook,
};
use super::inbound_admin::{
    __path_list_inbound, __path_retry_inbound, list_inbound, retry_inbound,
};
use super::integrations::{
    __path_create_integration, __path_delete_integration, __path_get_integration,
    __path_list_integrations, create_integration, delete_integration, get_integration,
    list_integrations,
};

#[derive(OpenApi)]
#[openapi(tags((name = "messaging", description = "Telegram and signed-webhook channels, their inbound messages and their deliveries")))]
struct ApiDoc;

/// The messaging routes over `messaging`.
pub fn api(state: CoreState, messaging: Arc<Messaging>) -> OpenApiRouter {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(require_scope(managed(), Scope::Admin))
        .routes(routes!(telegram_webhook))
        .routes(routes!(signed_webhook))
        .layer(Extension(messaging))
        .with_state(state)
}

/// The routes of the creator's owner and admins.
fn managed() -> OpenApiRouter<CoreState> {
    OpenApiRouter::new()
        .routes(routes!(list_integrations, create_integration))
        .routes(routes!(get_integration, delete_integration))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
        .routes(routes!(list_inbound))
        .routes(routes!(retry_inbound))
}
