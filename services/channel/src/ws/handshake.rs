//! Who may open a WebSocket, decided before the upgrade: the credential (the subprotocol pair
//! `bearer, <token>`, a ticket, or an `Authorization` header for non-browser clients) verified
//! like every request's, and the page's `Origin` checked against the creator's
//! `allowed_origins`. A refusal is an HTTP problem (401, 403), never an upgraded socket.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL};
use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::auth::scope::{ApiKeyAccess, Scope};
use coachai_common::state::CoreState;
use coachai_common::tenancy::CreatorId;

use crate::tickets::{Ticket, Tickets};

/// The subprotocol a client names before its credential, and the server selects.
pub const BEARER_PROTOCOL: &str = "bearer";
/// How long a creator's `allowed_origins` are cached (a change applies within this).
const ORIGINS_TTL: Duration = Duration::from_secs(30);

/// A verified caller of the WebSocket endpoint.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// Who they are.
    pub principal: Principal,
    /// The credential they proved it with (forwarded to the AI Engine).
    pub credential: Arc<str>,
    /// They authenticated with the subprotocol pair, which the server must select.
    pub subprotocol: bool,
}

/// Reads and verifies the caller's credential.
pub async fn admit(
    state: &CoreState,
    tickets: &Tickets,
    ticket: Option<&str>,
    headers: &HeaderMap,
) -> Result<Admitted, AppError> {
    let (credential, subprotocol) = match ticket {
        Some(ticket) => (redeem(tickets, ticket, headers).await?, false),
        None => presented(headers)?,
    };
    let principal = verify(state, &credential).await?;
    check_origin(state, principal.creator_id, headers).await?;
    Ok(Admitted {
        principal,
        credential: Arc::from(credential),
        subprotocol,
    })
}

/// Verifies `credential` as a route that needs the `chat` scope from API keys.
pub async fn verify(state: &CoreState, credential: &str) -> Result<Principal, AppError> {
    let principal = state.authenticator.authenticate(credential).await?;
    state
        .authenticator
        .admit(&principal, Some(ApiKeyAccess::Scope(Scope::Chat)))
        .await?;
    Ok(principal)
}

async fn redeem(tickets: &Tickets, ticket: &str, headers: &HeaderMap) -> Result<String, AppError> {
    let found = tickets
        .redeem(ticket)
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    let Ticket { credential, origin } = found.ok_or_else(|| {
        AppError::Unauthorized("the ticket is unknown, used or expired; ask for a new one".into())
    })?;
    if origin.is_some() && origin.as_deref() != header(headers, ORIGIN.as_str()) {
        return Err(AppError::Forbidden(
            "the ticket was issued to another origin".into(),
        ));
    }
    Ok(credential)
}

/// The credential of the subprotocol pair or of the `Authorization` header.
fn presented(headers: &HeaderMap) -> Result<(String, bool), AppError> {
    if let Some(protocols) = header(headers, SEC_WEBSOCKET_PROTOCOL.as_str()) {
        let mut parts = protocols.split(',').map(str::trim);
        return match (parts.next(), parts.next(), parts.next()) {
            (Some(BEARER_PROTOCOL), Some(token), None) if !token.is_empty() => {
                Ok((token.to_owned(), true))
            }
            _ => Err(AppError::Unauthorized(
                "Sec-WebSocket-Protocol must be the pair `bearer, <token>`".into(),
            )),
        };
    }
    match header(headers, AUTHORIZATION.as_str()).and_then(|v| v.split_once(' ')) {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok((token.trim().to_owned(), false))
        }
        _ => Err(AppError::Unauthorized(
            "send the credential as the Sec-WebSocket-Protocol pair `bearer, <token>` or a \
             ticket from POST /api/v1/channels/ws-ticket as `?ticket=`"
                .into(),
        )),
    }
}

/// Browsers send `Origin`: it must be the page's own host or one of the creator's
/// `allowed_origins`. Clients that send none (servers, apps) are not browsers.
pub async fn check_origin(
    state: &CoreState,
    creator: CreatorId,
    headers: &HeaderMap,
) -> Result<(), AppError> {
    let Some(origin) = header(headers, ORIGIN.as_str()) else {
        return Ok(());
    };
    let origin = normalise(origin);
    if same_host(&origin, headers) || allowed_origins(state, creator).await?.contains(&origin) {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "origin {origin} is not in the creator's allowed_origins"
    )))
}

fn same_host(origin: &str, headers: &HeaderMap) -> bool {
    let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    ["x-forwarded-host", HOST.as_str()]
        .iter()
        .filter_map(|name| header(headers, name))
        .any(|host| host.eq_ignore_ascii_case(authority))
}

async fn allowed_origins(state: &CoreState, creator: CreatorId) -> Result<Vec<String>, AppError> {
    state
        .cache
        .get_or_load(creator, "channel-origins", ORIGINS_TTL, || async {
            let mut tx = state.db.begin_for(creator).await?;
            let origins: Vec<String> =
                sqlx::query_scalar("SELECT allowed_origins FROM creators WHERE id = $1")
                    .bind(creator.0)
                    .fetch_optional(tx.conn())
                    .await?
                    .unwrap_or_default();
            tx.commit().await?;
            Ok::<_, AppError>(origins.iter().map(|o| normalise(o)).collect())
        })
        .await
}

fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_subprotocol_pair_carries_the_token() {
        let found = presented(&headers(&[("sec-websocket-protocol", "bearer, abc.def")])).unwrap();
        assert_eq!(found, ("abc.def".to_owned(), true));
    }

    #[test]
    fn other_subprotocols_are_refused() {
        for value in ["chat", "bearer", "bearer, ", "bearer, a, b", "basic, abc"] {
            let refused = presented(&headers(&[("sec-websocket-protocol", value)]));
            assert!(matches!(refused, Err(AppError::Unauthorized(_))), "{value}");
        }
    }

    #[test]
    fn an_authorization_header_is_accepted_without_subprotocol() {
        let found = presented(&headers(&[("authorization", "Bearer abc")])).unwrap();
        assert_eq!(found, ("abc".to_owned(), false));
        assert!(presented(&HeaderMap::new()).is_err());
    }

    #[test]
    fn the_pages_own_host_is_the_same_origin() {
        let map = headers(&[("host", "chat.example.com:8080")]);
        assert!(same_host("https://chat.example.com:8080", &map));
        assert!(!same_host("https://evil.example.com", &map));
        let forwarded = headers(&[("host", "channel:8004"), ("x-forwarded-host", "coach.io")]);
        assert!(same_host("https://coach.io", &forwarded));
    }

    #[test]
    fn origins_compare_without_case_or_trailing_slash() {
        assert_eq!(normalise(" https://Coach.IO/ "), "https://coach.io");
    }
}
