//! The four services of a `Platform` and the names, labels and hashes every object built for
//! them shares (pure).

use std::collections::BTreeMap;

use kube::{Resource, ResourceExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::crd::{Platform, ServiceSettings};

/// The label naming the `Platform` an object belongs to.
pub const PLATFORM_LABEL: &str = "coachai.dev/platform";
/// The pod template annotation that changes when the image, the dependencies or a referenced
/// Secret change, so the Deployment rolls.
pub const CONFIG_HASH: &str = "coachai.dev/config-hash";

/// A service of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// Accounts, tokens, signing keys.
    Auth,
    /// Creators' content and settings.
    CreatorHub,
    /// Retrieval and chat.
    AiEngine,
    /// Public chat channels and the WebSocket.
    Channel,
}

impl ServiceKind {
    /// Every service, in port order.
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::Auth,
        ServiceKind::CreatorHub,
        ServiceKind::AiEngine,
        ServiceKind::Channel,
    ];

    /// The name `coachai serve` takes and the objects' suffix.
    pub fn name(self) -> &'static str {
        match self {
            ServiceKind::Auth => "auth",
            ServiceKind::CreatorHub => "creator-hub",
            ServiceKind::AiEngine => "ai-engine",
            ServiceKind::Channel => "channel",
        }
    }

    /// The port the service listens on.
    pub fn port(self) -> i32 {
        match self {
            ServiceKind::Auth => 8001,
            ServiceKind::CreatorHub => 8002,
            ServiceKind::AiEngine => 8003,
            ServiceKind::Channel => 8004,
        }
    }

    /// The service's URL prefix; its health check is `<prefix>/health`.
    pub fn prefix(self) -> &'static str {
        match self {
            ServiceKind::Auth => "/api/v1/auth",
            ServiceKind::CreatorHub => "/api/v1/creators",
            ServiceKind::AiEngine => "/api/v1/ai",
            ServiceKind::Channel => "/api/v1/channels",
        }
    }

    /// The spec's settings of the service.
    pub fn settings(self, platform: &Platform) -> &ServiceSettings {
        let services = &platform.spec.services;
        match self {
            ServiceKind::Auth => &services.auth,
            ServiceKind::CreatorHub => &services.creator_hub,
            ServiceKind::AiEngine => &services.ai_engine,
            ServiceKind::Channel => &services.channel,
        }
    }

    /// The name of the service's Deployment, Service and PodDisruptionBudget.
    pub fn object_name(self, platform: &Platform) -> String {
        format!("{}-{}", platform.name_any(), self.name())
    }
}

/// The labels of every object of `platform` for `component`; the first three select pods.
pub fn labels(platform: &Platform, component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/name".into(), "coachai".into()),
        ("app.kubernetes.io/instance".into(), platform.name_any()),
        ("app.kubernetes.io/component".into(), component.into()),
        (
            "app.kubernetes.io/managed-by".into(),
            crate::context::MANAGER.into(),
        ),
        (PLATFORM_LABEL.into(), platform.name_any()),
    ])
}

/// The pod selector of `component`.
pub fn selector(platform: &Platform, component: &str) -> BTreeMap<String, String> {
    labels(platform, component)
        .into_iter()
        .filter(|(k, _)| k.starts_with("app.kubernetes.io/") && !k.ends_with("managed-by"))
        .collect()
}

/// The metadata every object of `platform` carries: name, namespace, labels, and the
/// controller owner reference that makes a delete of the `Platform` cascade.
pub fn metadata(platform: &Platform, name: &str, component: &str) -> Value {
    json!({
        "name": name,
        "namespace": platform.namespace(),
        "labels": labels(platform, component),
        "ownerReferences": platform.controller_owner_ref(&()).map(|r| vec![r]),
    })
}

/// The first 10 hex digits of the SHA-256 of `parts` (each ended by a NUL byte).
pub fn short_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .take(5)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The full image reference of `platform`.
pub fn image(platform: &Platform) -> String {
    let image = &platform.spec.image;
    format!("{}:{}", image.repository, image.tag)
}
