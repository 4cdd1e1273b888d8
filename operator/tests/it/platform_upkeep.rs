//! The Platform reconciler keeps what it made: no write when nothing changed, a deleted or
//! hand-edited Deployment restored, a rotated Secret rolled out, a missing Secret named.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Secret, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::platform_support::{
    SERVICES, condition, deployments, eventually, jobs, operator, put_secret, ready, spec, until,
};
use crate::support::Operator;

type Platforms = Api<coachai_operator::crd::Platform>;

const TEST_MANAGER: &str = "platform-test";

/// The Platform `demo` with image `tag`, as `kubectl apply --server-side` sends it.
fn applied(tag: &str) -> serde_json::Value {
    json!({"apiVersion": "coachai.dev/v1alpha1", "kind": "Platform", "metadata": {"name": "demo"}, "spec": spec(tag)})
}

async fn ready_platform(prefix: &str) -> (Operator, Platforms) {
    let op = operator(prefix).await;
    let api: Platforms = Api::namespaced(op.ns.client(), op.ns.name());
    api.patch(
        "demo",
        &PatchParams::apply(TEST_MANAGER),
        &Patch::Apply(&applied("1.0.0")),
    )
    .await
    .unwrap();
    until(&api, "demo", "Platform Ready", ready).await;
    (op, api)
}

/// The `resourceVersion` of every object of the Platform `demo`.
async fn versions(op: &Operator, api: &Platforms) -> BTreeMap<String, String> {
    let mut found = BTreeMap::from([("Platform/demo".to_owned(), version(api, "demo").await)]);
    for (name, d) in deployments(&op.ns.api::<Deployment>(), "demo").await {
        found.insert(format!("Deployment/{name}"), d.resource_version().unwrap());
    }
    for job in jobs(&op.ns.api::<Job>(), "demo").await {
        found.insert(
            format!("Job/{}", job.name_any()),
            job.resource_version().unwrap(),
        );
    }
    found.extend(network_versions(op).await);
    found
}

/// The `resourceVersion` of the Services, the budget and the Ingresses of `demo`.
async fn network_versions(op: &Operator) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for service in SERVICES {
        let name = format!("demo-{service}");
        let found_version = version(&op.ns.api::<Service>(), &name).await;
        found.insert(format!("Service/{name}"), found_version);
    }
    let budget = version(&op.ns.api::<PodDisruptionBudget>(), "demo-auth").await;
    found.insert("PodDisruptionBudget/demo-auth".into(), budget);
    for name in ["demo", "demo-uploads", "demo-ws"] {
        let found_version = version(&op.ns.api::<Ingress>(), name).await;
        found.insert(format!("Ingress/{name}"), found_version);
    }
    found
}

async fn version<K>(api: &Api<K>, name: &str) -> String
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.get(name).await.unwrap().resource_version().unwrap()
}

#[tokio::test]
async fn an_unchanged_platform_applied_again_and_resynced_makes_no_write() {
    let (op, api) = ready_platform("pf-nowrite").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = versions(&op, &api).await;
    let params = PatchParams::apply(TEST_MANAGER);
    api.patch("demo", &params, &Patch::Apply(&applied("1.0.0")))
        .await
        .unwrap();
    let reconciles = op.ctx.reconciles.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(8)).await;
    let after = versions(&op, &api).await;
    assert!(
        op.ctx.reconciles.load(Ordering::Relaxed) >= reconciles + 3,
        "the operator resynced"
    );
    assert_eq!(
        before, after,
        "an unchanged Platform wrote to one of its objects"
    );
}

#[tokio::test]
async fn a_deleted_or_hand_edited_deployment_is_restored() {
    let (op, _api) = ready_platform("pf-restore").await;
    let deployments_api = op.ns.api::<Deployment>();
    let deleted = deployments_api
        .get("demo-channel")
        .await
        .unwrap()
        .uid()
        .unwrap();
    deployments_api
        .delete("demo-channel", &DeleteParams::default())
        .await
        .unwrap();
    let edit = json!({"spec": {"replicas": 5}});
    deployments_api
        .patch("demo-auth", &PatchParams::default(), &Patch::Merge(&edit))
        .await
        .unwrap();
    eventually("the Deployments are restored", || async {
        let found = deployments(&deployments_api, "demo").await;
        let channel = found.get("demo-channel").and_then(|d| d.uid());
        let auth = found["demo-auth"].spec.replicas;
        match (channel, auth) {
            (Some(uid), Some(2)) if uid != deleted => Ok(()),
            other => Err(format!("channel uid and auth replicas: {other:?}")),
        }
    })
    .await;
}

#[tokio::test]
async fn rotating_a_referenced_secret_rolls_the_deployments() {
    let (op, api) = ready_platform("pf-rotate").await;
    let hash = |d: &Deployment| {
        let template = d.spec.template.metadata.clone().unwrap_or_default();
        template.annotations.unwrap_or_default()["coachai.dev/config-hash"].clone()
    };
    let deployments_api = op.ns.api::<Deployment>();
    let before = hash(&deployments_api.get("demo-ai-engine").await.unwrap());
    let secrets: Api<Secret> = op.ns.api();
    put_secret(
        &secrets,
        "db",
        "app-url",
        "postgres://coachai_app:rotated@postgres:5432/coachai",
    )
    .await;
    eventually("the pod template's config hash changes", || async {
        let now = hash(&deployments_api.get("demo-ai-engine").await.unwrap());
        if now == before { Err(now) } else { Ok(()) }
    })
    .await;
    until(&api, "demo", "Ready again", ready).await;
}

#[tokio::test]
async fn a_platform_missing_a_secret_says_which_and_starts_nothing() {
    let op = crate::support::Operator::start("pf-nosecret").await;
    let api: Platforms = Api::namespaced(op.ns.client(), op.ns.name());
    api.patch(
        "demo",
        &PatchParams::apply(TEST_MANAGER),
        &Patch::Apply(&applied("1.0.0")),
    )
    .await
    .unwrap();
    let failed = until(&api, "demo", "phase Failed", |p| {
        p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Failed")
    })
    .await;
    let (status, reason, message) = condition(&failed, "Migrated").unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "SecretMissing")
    );
    assert!(message.contains("Secret db"), "{message}");
    assert!(
        jobs(&op.ns.api::<Job>(), "demo").await.is_empty(),
        "no migration without its Secret"
    );
}
