//! The chart's RBAC is enough for the operator and no more: requests made as its
//! ServiceAccount (impersonated by the admin) for everything the operator does succeed, and a
//! sample of what it never needs is refused with 403 (`rbac_deny.rs`), in both of the chart's
//! modes: the watched namespace only (the default) and every namespace.

use std::fmt::Debug;
use std::time::Duration;

use coachai_kube_harness::TestNamespace;
use coachai_operator::crd::Creator;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Pod, Secret, Service};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{RELEASE, Release};

#[tokio::test]
async fn the_service_account_may_do_the_operators_work_in_the_release_namespace() {
    let release = Release::install("chart-rbac", &[]).await;
    let operator = impersonate(&release).await;
    does_the_operators_work(&release, &release.ns, operator, Some(release.ns.name())).await;
}

#[tokio::test]
async fn with_all_namespaces_the_service_account_may_do_the_operators_work_anywhere() {
    let release = Release::install(
        "chart-rbac-all",
        &["--set", "operator.watchAllNamespaces=true"],
    )
    .await;
    let tenant = TestNamespace::create("chart-tenant").await.unwrap();
    let operator = impersonate(&release).await;
    does_the_operators_work(&release, &tenant, operator, None).await;
}

/// Everything the operator does for a Creator and a Platform in `tenant`, its watches listing
/// `watched` (every namespace: `None`), as the release's ServiceAccount `operator`.
async fn does_the_operators_work(
    release: &Release,
    tenant: &TestNamespace,
    operator: Client,
    watched: Option<&str>,
) {
    let name = creator_work(tenant, &operator, watched).await;
    events_and_lease(&operator, tenant.name(), &name, release.ns.name()).await;
    platform_work(&operator, tenant.name(), watched).await;
}

/// A Creator's watches, status, finalizer and invitation Secret; the Creator's name.
async fn creator_work(tenant: &TestNamespace, operator: &Client, watched: Option<&str>) -> String {
    let creator = example_creator(tenant).await;
    watches(operator, watched, &creator).await;
    let name = creator.metadata.name.clone().unwrap();
    status_and_finalizer(operator, tenant.name(), &name).await;

    // The invitation Secret next to the Creator: create, replace, delete.
    let secrets = Api::<Secret>::namespaced(operator.clone(), tenant.name());
    let secret: Secret = from_json(json!({
        "metadata": {"name": format!("{name}-owner-invitation"),
                     "labels": {"app.kubernetes.io/managed-by": "coachai-operator"}},
        "stringData": {"url": "http://127.0.0.1:8080/chat/kettlebell/invite/t"}
    }));
    let created = secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    secrets
        .replace(
            &format!("{name}-owner-invitation"),
            &PostParams::default(),
            &created,
        )
        .await
        .unwrap();
    secrets
        .delete(
            &format!("{name}-owner-invitation"),
            &DeleteParams::default(),
        )
        .await
        .unwrap();
    name
}

/// The watches of Creators and of the Secrets the operator labels, listing `watched`.
async fn watches(operator: &Client, watched: Option<&str>, creator: &Creator) {
    eventually(|| async {
        scoped::<Creator>(operator, watched)
            .list(&ListParams::default())
            .await
    })
    .await;
    let listed = scoped::<Creator>(operator, watched)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(
        listed
            .items
            .iter()
            .any(|c| c.metadata.uid == creator.metadata.uid)
    );
    let labelled = ListParams::default().labels("app.kubernetes.io/managed-by=coachai-operator");
    scoped::<Secret>(operator, watched)
        .list(&labelled)
        .await
        .unwrap();
}

/// The status and the finalizer of the Creator `name` in `tenant`.
async fn status_and_finalizer(operator: &Client, tenant: &str, name: &str) {
    let creators = Api::<Creator>::namespaced(operator.clone(), tenant);
    let status = json!({"status": {"phase": "Provisioning"}});
    let patched = creators
        .patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    assert_eq!(
        patched.status.unwrap().phase.as_deref(),
        Some("Provisioning")
    );
    let finalizer = json!({"metadata": {"finalizers": ["coachai.dev/tenant-cleanup"]}});
    creators
        .patch(name, &PatchParams::default(), &Patch::Merge(&finalizer))
        .await
        .unwrap();
    let none = json!({"metadata": {"finalizers": null}});
    creators
        .patch(name, &PatchParams::default(), &Patch::Merge(&none))
        .await
        .unwrap();
}

/// An Event about the Creator `name` in `tenant`, and the Lease in the release namespace `here`.
async fn events_and_lease(operator: &Client, tenant: &str, name: &str, here: &str) {
    // An Event about the Creator.
    let event: Event = from_json(json!({
        "metadata": {"name": format!("{name}.rbac")},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "coachai.dev/operator", "reportingInstance": "coachai-operator",
        "action": "Reconcile", "reason": "Ready", "type": "Normal", "note": "rbac test",
        "regarding": {"apiVersion": "coachai.dev/v1alpha1", "kind": "Creator",
                      "namespace": tenant, "name": name}
    }));
    let events = Api::<Event>::namespaced(operator.clone(), tenant);
    events.create(&PostParams::default(), &event).await.unwrap();
    // A repeated Event is patched into a series, as kube-runtime's recorder does.
    let note = json!({"series": {"count": 2, "lastObservedTime": "2026-01-01T00:00:10.000000Z"}});
    events
        .patch(
            &format!("{name}.rbac"),
            &PatchParams::default(),
            &Patch::Merge(&note),
        )
        .await
        .unwrap();

    // The leader-election Lease in the release namespace.
    let leases = Api::<Lease>::namespaced(operator.clone(), here);
    let lease: Lease =
        from_json(json!({"metadata": {"name": RELEASE}, "spec": {"holderIdentity": "a"}}));
    leases.create(&PostParams::default(), &lease).await.unwrap();
    let mut held = leases.get(RELEASE).await.unwrap();
    held.spec.as_mut().unwrap().holder_identity = Some("b".into());
    leases
        .replace(RELEASE, &PostParams::default(), &held)
        .await
        .unwrap();
    let renew = json!({"spec": {"holderIdentity": "c"}});
    leases
        .patch(RELEASE, &PatchParams::default(), &Patch::Merge(&renew))
        .await
        .unwrap();
}

/// What a Platform in `tenant` runs, its watches listing `watched`.
async fn platform_work(operator: &Client, tenant: &str, watched: Option<&str>) {
    // What a Platform runs, next to it (dry run: nothing is left behind).
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let deployment: Deployment = from_json(json!({
        "metadata": {"name": "auth"},
        "spec": {"selector": {"matchLabels": {"app": "auth"}},
                 "template": {"metadata": {"labels": {"app": "auth"}},
                              "spec": {"containers": [{"name": "auth", "image": "coachai"}]}}}
    }));
    Api::<Deployment>::namespaced(operator.clone(), tenant)
        .create(&dry, &deployment)
        .await
        .unwrap();
    let all = ListParams::default();
    scoped::<Deployment>(operator, watched)
        .list(&all)
        .await
        .unwrap();
    scoped::<Job>(operator, watched).list(&all).await.unwrap();
    scoped::<Service>(operator, watched)
        .list(&all)
        .await
        .unwrap();
    scoped::<PodDisruptionBudget>(operator, watched)
        .list(&all)
        .await
        .unwrap();
    scoped::<Ingress>(operator, watched)
        .list(&all)
        .await
        .unwrap();

    pods_and_logs(operator, tenant).await;
}

/// A failed migration Job's pods and their logs (a missing pod: 404, not 403).
async fn pods_and_logs(operator: &Client, tenant: &str) {
    let pods = Api::<Pod>::namespaced(operator.clone(), tenant);
    pods.list(&ListParams::default().labels("job-name=migrate"))
        .await
        .unwrap();
    match pods.logs("no-such-pod", &Default::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 404, "{status:?}"),
        other => panic!("reading a missing pod's logs: {other:?}"),
    }
}

/// The API of `K` in `namespace`, or in every namespace (`None`).
fn scoped<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// A client that authenticates as the admin and acts as the release's ServiceAccount.
pub async fn impersonate(release: &Release) -> Client {
    let mut config = coachai_kube_harness::config().await.unwrap();
    config.auth_info.impersonate = Some(release.service_account_user());
    Client::try_from(config).unwrap()
}

/// The repository's example Creator, created (as the admin) in `ns`.
async fn example_creator(ns: &TestNamespace) -> Creator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creator.yaml");
    let mut creator: Creator =
        serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    creator.metadata.namespace = Some(ns.name().to_string());
    ns.api::<Creator>()
        .create(&PostParams::default(), &creator)
        .await
        .unwrap()
}

/// Retries `call` for up to 5 s: new RBAC bindings reach the authorizer's cache eventually.
pub async fn eventually<F, Fut, T>(call: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = kube::Result<T>>,
    T: Debug,
{
    let mut last = call().await;
    for _ in 0..20 {
        if last.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        last = call().await;
    }
    last.unwrap();
}

pub fn forbidden<T: Debug>(what: &str, result: kube::Result<T>) {
    match result {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{what}: {status:?}"),
        other => panic!("the operator's ServiceAccount may {what}: {other:?}"),
    }
}

pub fn from_json<K: Resource + DeserializeOwned>(value: serde_json::Value) -> K {
    serde_json::from_value(value).unwrap()
}
