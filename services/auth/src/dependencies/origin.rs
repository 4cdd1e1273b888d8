//! [`ClientOrigin`]: where a request came from, for audit rows and per-IP rate limits.
//!
//! The client address is the socket peer, unless the peer is a trusted gateway: then it is the
//! right-most `X-Forwarded-For` entry that is not itself a trusted gateway (entries further
//! left were written by the client and can be forged).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use coachai_common::audit::Origin;
use coachai_common::ratelimit::client_key;

use crate::state::TrustedProxies;

const MAX_USER_AGENT: usize = 256;

/// The origin of the current request.
#[derive(Debug, Clone)]
pub struct ClientOrigin(pub Origin);

impl ClientOrigin {
    /// The client address as a rate-limit key part: [`client_key`] of the address.
    pub fn ip_key(&self) -> String {
        client_key(self.0.ip)
    }
}

impl<S> FromRequestParts<S> for ClientOrigin
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let proxies = TrustedProxies::from_ref(state);
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let user_agent = header("user-agent").map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
        Ok(Self(Origin {
            ip: client_ip(peer, &parts.headers, &proxies),
            user_agent,
            request_id: header("x-request-id"),
        }))
    }
}

/// The client address of a request from `peer` with `headers`.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    proxies: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?;
    if !proxies.contains(peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.iter().rev() {
        match entry.parse::<IpAddr>() {
            Ok(ip) if proxies.contains(ip) => continue,
            Ok(ip) => return Some(ip),
            // Garbage where an address should be: trust nothing further left.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(xff: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_gateway() {
        let proxies = TrustedProxies::parse("127.0.0.1/32").unwrap();
        let h = headers("6.6.6.6, 203.0.113.9");
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &h, &proxies),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &h, &proxies),
            Some(ip("198.51.100.1"))
        );
        assert_eq!(
            client_ip(Some(ip("127.0.0.1")), &headers("nonsense"), &proxies),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(client_ip(None, &h, &proxies), None);
    }
}
