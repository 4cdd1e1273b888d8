//! The desired objects of each service (pure): its Deployment (the config hash in the pod
//! template, so a change rolls it), its Service and, with more than one replica, its
//! PodDisruptionBudget.

use serde_json::{Value, json};

use super::names::{CONFIG_HASH, ServiceKind, metadata, selector};
use super::pod::{container, pod_security_context, volumes};
use crate::crd::Platform;

/// The Deployment of `service`; `config_hash` goes into the pod template.
pub fn deployment(platform: &Platform, service: ServiceKind, config_hash: &str) -> Value {
    let name = service.object_name(platform);
    let metadata_ = metadata(platform, &name, service.name());
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata_,
        "spec": {
            "replicas": service.settings(platform).replicas,
            "selector": {"matchLabels": selector(platform, service.name())},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {
                    "labels": selector(platform, service.name()),
                    "annotations": {CONFIG_HASH: config_hash},
                },
                "spec": {
                    "automountServiceAccountToken": false,
                    "securityContext": pod_security_context(),
                    "containers": [container(platform, service)],
                    "volumes": volumes(platform, service),
                },
            },
        },
    })
}

/// The ClusterIP Service of `service`.
pub fn service(platform: &Platform, service: ServiceKind) -> Value {
    let name = service.object_name(platform);
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(platform, &name, service.name()),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(platform, service.name()),
            "ports": [{"name": "http", "port": service.port(), "targetPort": "http", "protocol": "TCP"}],
        },
    })
}

/// The PodDisruptionBudget of `service` (one pod stays up), when it runs more than one
/// replica.
pub fn disruption_budget(platform: &Platform, service: ServiceKind) -> Option<Value> {
    if service.settings(platform).replicas <= 1 {
        return None;
    }
    let name = service.object_name(platform);
    Some(json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(platform, &name, service.name()),
        "spec": {
            "minAvailable": 1,
            "selector": {"matchLabels": selector(platform, service.name())},
        },
    }))
}
