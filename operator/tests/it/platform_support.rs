//! Helpers of the Platform suite: a running operator (the one of [`crate::support`]) with the
//! Secrets a Platform references, the Platform itself, and waits on the objects it owns.

use std::collections::BTreeMap;
use std::time::Duration;

use coachai_kube_harness::workloads_unavailable;
use coachai_operator::crd::Platform;
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, ResourceExt};
use serde_json::{Value, json};

use crate::support::Operator;

/// The four services' object suffixes.
pub const SERVICES: [&str; 4] = ["auth", "creator-hub", "ai-engine", "channel"];

/// A running operator with the Platform's Secrets, once workloads can roll out here.
pub async fn operator(prefix: &str) -> Operator {
    if let Some(reason) = workloads_unavailable() {
        panic!("Deployments cannot roll out on the harness cluster: {reason}");
    }
    let op = Operator::start(prefix).await;
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    for (name, key, value) in [
        (
            "db",
            "app-url",
            "postgres://coachai_app:x@postgres:5432/coachai",
        ),
        (
            "db",
            "owner-url",
            "postgres://coachai_owner:x@postgres:5432/coachai",
        ),
        ("signing-keys", "key-1.pem", "not a real key"),
    ] {
        put_secret(&secrets, name, key, value).await;
    }
    op
}

/// Adds `key` to the Secret `name` (made if missing).
pub async fn put_secret(secrets: &Api<Secret>, name: &str, key: &str, value: &str) {
    let mut secret = secrets.get_opt(name).await.unwrap().unwrap_or(Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..Secret::default()
    });
    let data = secret.data.get_or_insert_with(BTreeMap::new);
    data.insert(key.into(), ByteString(value.as_bytes().to_vec()));
    if secret.metadata.resource_version.is_some() {
        secrets
            .replace(name, &PostParams::default(), &secret)
            .await
            .unwrap();
    } else {
        secrets
            .create(&PostParams::default(), &secret)
            .await
            .unwrap();
    }
}

/// A Platform spec with image `tag`: auth on two replicas, the others on one.
pub fn spec(tag: &str) -> Value {
    json!({
        "image": {"repository": "registry.invalid/coachai/coachai", "tag": tag},
        "dependencies": {
            "database": {"name": "db", "key": "app-url"},
            "migrationDatabase": {"name": "db", "key": "owner-url"},
            "redisUrl": "redis://redis:6379",
            "chromaUrl": "http://chroma:8000",
            "ollamaUrl": "http://ollama:11434",
            "signingKeysSecret": "signing-keys",
        },
        "services": {
            "auth": {"replicas": 2},
            "creatorHub": {"replicas": 1},
            "aiEngine": {"replicas": 1},
            "channel": {"replicas": 1},
        },
        "ingress": {"host": "coach.example.com", "corsOrigins": ["https://coach.example.com"], "rateLimit": {"rps": 30}},
    })
}

/// The Platform `name` with `spec`.
pub fn platform(name: &str, spec: Value) -> Platform {
    serde_json::from_value(json!({
        "apiVersion": "coachai.dev/v1alpha1", "kind": "Platform",
        "metadata": {"name": name}, "spec": spec,
    }))
    .unwrap()
}

/// Waits (120 s at most) until `check` holds for the Platform `name`.
pub async fn until(
    api: &Api<Platform>,
    name: &str,
    what: &str,
    check: impl Fn(&Platform) -> bool,
) -> Platform {
    eventually(what, || async {
        let current = api.get_opt(name).await.unwrap();
        match current {
            Some(found) if check(&found) => Ok(found),
            other => Err(format!("{other:#?}")),
        }
    })
    .await
}

/// Waits (120 s at most) until `probe` gives `Ok`; fails with `what` and the last `Err`.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        match probe().await {
            Ok(found) => return found,
            Err(last) => assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: never happened; last {last}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The Platform's `Ready` condition holds.
pub fn ready(platform: &Platform) -> bool {
    condition(platform, "Ready").is_some_and(|c| c.0 == "True")
}

/// The status and message of the condition `kind`.
pub fn condition(platform: &Platform, kind: &str) -> Option<(String, String, String)> {
    let status = platform.status.as_ref()?;
    let found = status.conditions.iter().find(|c| c.type_ == kind)?;
    Some((
        format!("{:?}", found.status),
        found.reason.clone(),
        found.message.clone(),
    ))
}

/// The Deployments of the Platform `name`, by name.
pub async fn deployments(api: &Api<Deployment>, name: &str) -> BTreeMap<String, Deployment> {
    let selector = format!("coachai.dev/platform={name}");
    let listed = api
        .list(&ListParams::default().labels(&selector))
        .await
        .unwrap();
    listed
        .items
        .into_iter()
        .map(|d| (d.name_any(), d))
        .collect()
}

/// The migration Jobs of the Platform `name`.
pub async fn jobs(api: &Api<Job>, name: &str) -> Vec<Job> {
    let selector = format!("coachai.dev/platform={name},app.kubernetes.io/component=migration");
    api.list(&ListParams::default().labels(&selector))
        .await
        .unwrap()
        .items
}
