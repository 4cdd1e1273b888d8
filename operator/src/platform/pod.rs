//! The container every platform pod runs (pure): the image, the hardened security context and
//! the environment the services read (`coachai_common::config` names).

use serde_json::{Value, json};

use super::names::{ServiceKind, image};
use crate::crd::{Platform, SecretKeyRef};

/// Where the Auth service finds its signing keys.
pub const SIGNING_KEYS_DIR: &str = "/var/run/coachai/signing-keys";

/// Non-root, read-only root filesystem, no privilege escalation, no capabilities, the runtime's
/// seccomp profile.
pub fn security_context() -> Value {
    json!({
        "runAsNonRoot": true,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "readOnlyRootFilesystem": true,
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    })
}

/// The pod-level security context.
pub fn pod_security_context() -> Value {
    json!({
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"},
    })
}

/// An environment variable read from a Secret key.
pub fn from_secret(name: &str, key: &SecretKeyRef) -> Value {
    json!({"name": name, "valueFrom": {"secretKeyRef": {"name": key.name, "key": key.key}}})
}

/// The environment of `service`.
pub fn env(platform: &Platform, service: ServiceKind) -> Vec<Value> {
    let deps = &platform.spec.dependencies;
    let auth = ServiceKind::Auth;
    let jwks = format!(
        "http://{}:{}{}/.well-known/jwks.json",
        auth.object_name(platform),
        auth.port(),
        auth.prefix()
    );
    let mut env = vec![
        from_secret("DATABASE_URL", &deps.database),
        json!({"name": "REDIS_URL", "value": deps.redis_url}),
        json!({"name": "CHROMA_URL", "value": deps.chroma_url}),
        json!({"name": "OLLAMA_URL", "value": deps.ollama_url}),
        json!({"name": "AUTH_JWKS_URL", "value": jwks}),
        json!({"name": "BIND_ADDR", "value": "0.0.0.0"}),
        json!({"name": "PORT", "value": service.port().to_string()}),
        json!({"name": "LOG_FORMAT", "value": "json"}),
    ];
    if service == ServiceKind::Auth {
        env.push(json!({"name": "SIGNING_KEYS_DIR", "value": SIGNING_KEYS_DIR}));
    }
    if let (ServiceKind::Channel, Some(key)) = (service, &deps.channel_secrets_key) {
        env.push(from_secret("CHANNEL_SECRETS_KEY", key));
    }
    env
}

/// The container of `service`: `coachai serve <service>`, probed on its `/health`.
pub fn container(platform: &Platform, service: ServiceKind) -> Value {
    let settings = service.settings(platform);
    let probe = |period: i32, failures: i32| {
        json!({
            "httpGet": {"path": format!("{}/health", service.prefix()), "port": "http"},
            "periodSeconds": period,
            "failureThreshold": failures,
            "timeoutSeconds": 2,
        })
    };
    let mut mounts = vec![json!({"name": "tmp", "mountPath": "/tmp"})];
    if service == ServiceKind::Auth {
        mounts
            .push(json!({"name": "signing-keys", "mountPath": SIGNING_KEYS_DIR, "readOnly": true}));
    }
    json!({
        "name": service.name(),
        "image": image(platform),
        "imagePullPolicy": platform.spec.image.pull_policy,
        "command": ["coachai"],
        "args": ["serve", service.name()],
        "ports": [{"name": "http", "containerPort": service.port(), "protocol": "TCP"}],
        "env": env(platform, service),
        "readinessProbe": probe(5, 3),
        "livenessProbe": probe(10, 6),
        "resources": settings.resources,
        "securityContext": security_context(),
        "volumeMounts": mounts,
    })
}

/// The volumes of `service`'s pods: a writable `/tmp`, and for Auth the signing keys.
pub fn volumes(platform: &Platform, service: ServiceKind) -> Vec<Value> {
    let mut volumes = vec![json!({"name": "tmp", "emptyDir": {}})];
    if service == ServiceKind::Auth {
        volumes.push(json!({
            "name": "signing-keys",
            "secret": {"secretName": platform.spec.dependencies.signing_keys_secret},
        }));
    }
    volumes
}
