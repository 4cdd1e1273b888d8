//! The web pages the Channel serves outside its API prefix: the chat page (`/chat/{slug}`, its
//! invitation form `/chat/{slug}/invite/{token}`, the embedded chat `?embed=1`), the chat
//! widget script (`/chat/widget.js`), the creator console (`/console/{slug}`) and their
//! scripts and styles (`/chat/_assets/{name}`). Every response carries a strict
//! `Content-Security-Policy`, `nosniff`, a strong `ETag` (answered 304 on `If-None-Match`) and
//! a `Cache-Control` (contract: `docs/03-api-specifications/channel.md`, "Web pages").

mod assets;
mod response;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use coachai_common::AppError;
use coachai_common::state::CoreState;

pub use assets::{ASSETS, ASSETS_PATH, Asset, CHAT_PAGE, CONSOLE_PAGE};
pub use response::{PAGE_CSP, embed_csp};

use crate::public;
use response::{Caching, Framing};

/// The page routes, state applied; merged next to the API by [`crate::router_with`].
pub fn router(state: CoreState) -> Router {
    Router::new()
        .route("/chat/widget.js", get(widget))
        .route(&format!("{ASSETS_PATH}/{{name}}"), get(asset))
        .route("/chat/{slug}", get(chat))
        .route("/chat/{slug}/invite/{token}", get(invite))
        .route("/console/{slug}", get(console))
        .with_state(state)
}

/// The chat page; with `?embed=1` it may be framed by the creator's `allowed_origins` only.
async fn chat(
    State(state): State<CoreState>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let embedded = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|pair| pair == "embed=1"));
    let framing = if embedded {
        let origins = public::lookup(&state, &slug)
            .await?
            .map(|page| page.allowed_origins)
            .unwrap_or_default();
        Framing::Origins(origins)
    } else {
        Framing::Nowhere
    };
    Ok(response::page(&CHAT_PAGE, framing, &headers))
}

/// The chat page opened from an invitation link: its script shows the set-a-password form.
async fn invite(headers: HeaderMap) -> Response {
    response::page(&CHAT_PAGE, Framing::Nowhere, &headers)
}

/// The creator console.
async fn console(headers: HeaderMap) -> Response {
    response::page(&CONSOLE_PAGE, Framing::Nowhere, &headers)
}

/// The embed script creators put on their sites (a stable URL, so cached briefly).
async fn widget(headers: HeaderMap) -> Result<Response, AppError> {
    let widget = assets::asset("widget.js")
        .ok_or_else(|| AppError::internal("widget.js is not embedded"))?;
    Ok(response::file(widget, Caching::Briefly, &headers))
}

/// A script or style; cached for a year when asked for by its current version.
async fn asset(
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let asset = assets::asset(&name)
        .ok_or_else(|| AppError::NotFound(format!("no asset is called `{name}`")))?;
    let current = format!("v={}", asset.version());
    let caching = if query.as_deref() == Some(current.as_str()) {
        Caching::Immutable
    } else {
        Caching::Revalidate
    };
    Ok(response::file(asset, caching, &headers))
}
