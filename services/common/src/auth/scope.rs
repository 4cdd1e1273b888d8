//! API key scopes and the per-route declaration of which scope a route needs.
//!
//! Access tokens carry a role and are judged by the handlers' role checks. API keys carry
//! scopes, and the shared [`super::Principal`] extractor enforces them on every route, default
//! deny: a route accepts API keys only when it declares the scope it needs with
//! [`require_scope`] (or [`accept_any_api_key`]); a key without that scope gets 403 before the
//! handler runs. `admin` implies every other scope.

use std::fmt;
use std::str::FromStr;

use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scope {
    /// Chat with the AI coach (WebSocket, chat streams, messaging channels).
    #[serde(rename = "chat")]
    Chat,
    /// Read the content library, its chunks and statistics.
    #[serde(rename = "content:read")]
    ContentRead,
    /// Upload, change and delete content.
    #[serde(rename = "content:write")]
    ContentWrite,
    /// Everything, including the creator's settings.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// Every scope, in documentation order.
    pub const ALL: [Scope; 4] = [
        Scope::Chat,
        Scope::ContentRead,
        Scope::ContentWrite,
        Scope::Admin,
    ];

    /// The scope's name as stored and sent (`content:write`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::ContentRead => "content:read",
            Self::ContentWrite => "content:write",
            Self::Admin => "admin",
        }
    }

    /// Whether a key holding `held` may use a route needing `self`.
    pub fn granted_by(self, held: &[Scope]) -> bool {
        held.iter().any(|h| *h == self || *h == Scope::Admin)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not one of [`Scope::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope `{0}`; known scopes are chat, content:read, content:write, admin")]
pub struct UnknownScope(pub String);

impl FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name)
            .ok_or_else(|| UnknownScope(name.to_owned()))
    }
}

/// Which API keys a route accepts; set on the route as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyAccess {
    /// Any valid key (identity endpoints such as `/me`).
    AnyKey,
    /// Keys holding this scope (or `admin`).
    Scope(Scope),
}

impl ApiKeyAccess {
    /// Management routes fail closed when revocations cannot be read: undeclared routes
    /// (interactive only) and `admin` routes.
    pub fn is_management(access: Option<Self>) -> bool {
        matches!(access, None | Some(Self::Scope(Scope::Admin)))
    }
}

/// Lets API keys holding `scope` call every route of `router`.
pub fn require_scope<S>(router: OpenApiRouter<S>, scope: Scope) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.route_layer(Extension(ApiKeyAccess::Scope(scope)))
}

/// Lets every valid API key call every route of `router`.
pub fn accept_any_api_key<S>(router: OpenApiRouter<S>) -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.route_layer(Extension(ApiKeyAccess::AnyKey))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_names() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>(), Ok(scope));
            let json = serde_json::to_string(&scope).unwrap();
            assert_eq!(json, format!("\"{scope}\""));
        }
        assert!("content:delete".parse::<Scope>().is_err());
    }

    #[test]
    fn admin_grants_everything_and_chat_grants_only_chat() {
        assert!(Scope::ContentWrite.granted_by(&[Scope::Admin]));
        assert!(Scope::Chat.granted_by(&[Scope::Chat]));
        assert!(!Scope::ContentWrite.granted_by(&[Scope::Chat, Scope::ContentRead]));
        assert!(!Scope::Chat.granted_by(&[]));
    }

    #[test]
    fn undeclared_and_admin_routes_are_management() {
        assert!(ApiKeyAccess::is_management(None));
        assert!(ApiKeyAccess::is_management(Some(ApiKeyAccess::Scope(
            Scope::Admin
        ))));
        assert!(!ApiKeyAccess::is_management(Some(ApiKeyAccess::AnyKey)));
        assert!(!ApiKeyAccess::is_management(Some(ApiKeyAccess::Scope(
            Scope::Chat
        ))));
    }
}
