//! The WebSocket endpoint `GET /ws` and the tickets that open it from a browser,
//! `POST /ws-ticket` (contract: `docs/03-api-specifications/channel.md`).

mod coach;
mod connection;
mod follow;
mod frames;
mod handshake;
mod ownership;
mod pending;
mod session;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::auth::scope::{Scope, require_scope};
use coachai_common::error::Problem;
use coachai_common::json::ApiJson;
use coachai_common::query::ApiQuery;
use coachai_common::state::CoreState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub use handshake::{Admitted, BEARER_PROTOCOL};
pub use session::Session;

use crate::answer::AiEngine;
use crate::events::EventLog;
use crate::hub::Hub;
use crate::protocol::MAX_FRAME_BYTES;
use crate::settings::ChannelSettings;
use crate::tickets::{TICKET_TTL, Ticket, Tickets};

/// Read buffer of a connection: chat frames are small, and 100,000 idle connections must be
/// cheap (axum's default is 128 KiB); larger frames grow it as they come.
const READ_BUFFER_BYTES: usize = 2 * 1024;

/// Everything the connections of this process share.
pub struct Channel {
    /// The service's settings.
    pub settings: ChannelSettings,
    /// PostgreSQL (ownership checks) and the authenticator (credentials re-checked on resume).
    pub core: CoreState,
    /// The conversations' events.
    pub log: EventLog,
    /// This replica's subscriptions.
    pub hub: Hub,
    /// WebSocket tickets.
    pub tickets: Tickets,
    /// Where answers come from.
    pub engine: AiEngine,
    connections: AtomicU64,
}

impl Channel {
    /// The shared parts over `redis_url`, starting the hub's subscriber.
    pub fn start(settings: ChannelSettings, core: CoreState, redis_url: &str) -> Self {
        Self {
            log: EventLog::new(redis_url, &settings),
            hub: Hub::start(redis_url),
            tickets: Tickets::new(redis_url),
            engine: AiEngine::new(&settings.ai_engine_url),
            settings,
            core,
            connections: AtomicU64::new(0),
        }
    }
}

#[derive(OpenApi)]
#[openapi(tags((name = "websocket", description = "Real-time chat over a WebSocket")))]
struct ApiDoc;

/// The WebSocket routes over `channel`, relative to [`crate::PREFIX`].
pub fn api(state: CoreState, channel: Arc<Channel>) -> OpenApiRouter {
    let tickets = require_scope(OpenApiRouter::new().routes(routes!(ticket)), Scope::Chat);
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ws))
        .merge(tickets)
        .layer(Extension(channel))
        .with_state(state)
}

/// `?ticket=` of the WebSocket handshake.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// A ticket from `POST /ws-ticket` (single use, 60 s), instead of the subprotocol pair.
    pub ticket: Option<String>,
}

/// Opens the chat WebSocket. Authenticate with the subprotocol pair `bearer, <access token or
/// API key with chat>` (the server selects `bearer`) or `?ticket=`. Browsers' `Origin` must be
/// the page's host or in the creator's `allowed_origins`.
#[utoipa::path(
    get, path = "/ws", tag = "websocket", params(WsQuery),
    responses(
        (status = 101, description = "switched to the WebSocket protocol"),
        (status = 400, description = "not a WebSocket handshake", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "no valid credential or ticket", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "an origin the creator does not allow, or an API key without `chat`", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn ws(
    State(state): State<CoreState>,
    Extension(channel): Extension<Arc<Channel>>,
    ApiQuery(query): ApiQuery<WsQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let admitted =
        handshake::admit(&state, &channel.tickets, query.ticket.as_deref(), &headers).await?;
    let upgrade = upgrade.map_err(|e| {
        AppError::BadRequest(format!("this endpoint takes a WebSocket handshake: {e}"))
    })?;
    let session = Session {
        id: channel.connections.fetch_add(1, Ordering::Relaxed),
        user: admitted.principal.user_id,
        creator: admitted.principal.creator_id,
        credential: admitted.credential,
        request_id: request_id(&headers).into(),
    };
    let upgrade = upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES);
    let upgrade = if admitted.subprotocol {
        upgrade.protocols([BEARER_PROTOCOL])
    } else {
        upgrade
    };
    Ok(upgrade
        .on_upgrade(move |socket| connection::serve(socket, channel, session))
        .into_response())
}

/// A new WebSocket ticket.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"ticket": "tq3Y0m2rS6Xv9bJp1LwZ4aKc8dFhN5eUoR7iT0yQxGs", "expires_in": 60}))]
pub struct TicketReply {
    /// Pass as `?ticket=` to `GET /ws` once, within `expires_in` seconds.
    pub ticket: String,
    /// Seconds the ticket is valid.
    pub expires_in: u64,
}

/// Trades the caller's credential for a single-use ticket that opens one WebSocket within
/// 60 s (browsers cannot send headers on a WebSocket). A browser's `Origin` is checked here
/// and again at the handshake, which must come from the same origin.
#[utoipa::path(
    post, path = "/ws-ticket", tag = "websocket",
    security(("bearer" = [])),
    responses(
        (status = 201, description = "the ticket", body = TicketReply),
        (status = 401, description = "no valid credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "an origin the creator does not allow, or an API key without `chat`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Redis is unavailable", body = Problem, content_type = "application/problem+json")
    )
)]
pub(crate) async fn ticket(
    State(state): State<CoreState>,
    Extension(channel): Extension<Arc<Channel>>,
    principal: Principal,
    headers: HeaderMap,
) -> Result<(StatusCode, ApiJson<TicketReply>), AppError> {
    handshake::check_origin(&state, principal.creator_id, &headers).await?;
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, token)| token.trim().to_owned())
        .ok_or_else(|| AppError::Unauthorized("missing `Authorization: Bearer` header".into()))?;
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let ticket = channel
        .tickets
        .issue(&Ticket { credential, origin })
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let reply = TicketReply {
        ticket,
        expires_in: TICKET_TTL.as_secs(),
    };
    Ok((StatusCode::CREATED, ApiJson(reply)))
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_owned)
}
