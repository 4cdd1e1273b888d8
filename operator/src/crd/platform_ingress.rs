//! The `ingress` part of a `Platform`: the nginx Ingress in front of the services, with its
//! rate limit, CORS, body sizes and WebSocket timeouts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A size as ingress-nginx reads it (`1m`, `512k`).
const SIZE_PATTERN: &str = r"^[0-9]{1,6}[kKmMgG]?$";

/// The Ingress of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ingress {
    /// The IngressClass; the annotations are ingress-nginx's.
    #[serde(default = "default_class")]
    #[schemars(length(min = 1, max = 253))]
    pub class_name: String,
    /// The host name the platform answers on; every host when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 253),
        regex(
            pattern = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
        )
    )]
    pub host: Option<String>,
    /// A `kubernetes.io/tls` Secret for the host; plain HTTP when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub tls_secret: Option<String>,
    /// Requests per second per client address.
    #[serde(default)]
    pub rate_limit: RateLimit,
    /// Web origins allowed to call the API from a browser (at most 20); CORS is off when empty.
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub cors_origins: Vec<String>,
    /// Largest request bodies.
    #[serde(default)]
    pub body_sizes: BodySizes,
    /// How long an idle chat WebSocket stays open, in seconds (60-86400).
    #[serde(default = "default_websocket_timeout")]
    #[schemars(range(min = 60, max = 86_400))]
    pub websocket_timeout_secs: i32,
}

impl Default for Ingress {
    fn default() -> Self {
        Self {
            class_name: default_class(),
            host: None,
            tls_secret: None,
            rate_limit: RateLimit::default(),
            cors_origins: Vec::new(),
            body_sizes: BodySizes::default(),
            websocket_timeout_secs: default_websocket_timeout(),
        }
    }
}

fn default_class() -> String {
    "nginx".into()
}

fn default_websocket_timeout() -> i32 {
    3600
}

/// The Ingress's rate limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests per second per client address (1-10000).
    #[serde(default = "default_rps")]
    #[schemars(range(min = 1, max = 10_000))]
    pub rps: i32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self { rps: default_rps() }
    }
}

fn default_rps() -> i32 {
    20
}

/// Largest request bodies, as ingress-nginx sizes (`1m`, `512k`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BodySizes {
    /// For content uploads (`/api/v1/creators/<id>/content`).
    #[serde(default = "default_upload")]
    #[schemars(regex(pattern = SIZE_PATTERN))]
    pub upload: String,
    /// For every other request.
    #[serde(default = "default_body")]
    #[schemars(regex(pattern = SIZE_PATTERN))]
    pub default: String,
}

impl Default for BodySizes {
    fn default() -> Self {
        Self {
            upload: default_upload(),
            default: default_body(),
        }
    }
}

fn default_upload() -> String {
    "50m".into()
}

fn default_body() -> String {
    "1m".into()
}
