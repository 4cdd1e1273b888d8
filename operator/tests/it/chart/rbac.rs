//! The chart's RBAC is enough for the operator and no more: requests made as its
//! ServiceAccount (impersonated by the admin) for everything the operator does succeed, and a
//! sample of what it never needs is refused with 403.

use std::fmt::Debug;
use std::time::Duration;

use coachai_kube_harness::TestNamespace;
use coachai_operator::crd::Creator;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{RELEASE, Release};

#[tokio::test]
async fn the_service_account_may_do_the_operators_work_in_any_namespace() {
    let release = Release::install("chart-rbac", &[]).await;
    let tenant = TestNamespace::create("chart-tenant").await.unwrap();
    let creator = example_creator(&tenant).await;
    let operator = impersonate(&release).await;
    let here = release.ns.name();

    // Cluster-wide watches of Creators and the Secrets the operator labels.
    eventually(|| async {
        Api::<Creator>::all(operator.clone())
            .list(&ListParams::default())
            .await
    })
    .await;
    let listed = Api::<Creator>::all(operator.clone())
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
    Api::<Secret>::all(operator.clone())
        .list(&labelled)
        .await
        .unwrap();

    // Status and finalizer of a Creator in another namespace.
    let creators = Api::<Creator>::namespaced(operator.clone(), tenant.name());
    let name = creator.metadata.name.clone().unwrap();
    let status = json!({"status": {"phase": "Provisioning"}});
    let patched = creators
        .patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    assert_eq!(
        patched.status.unwrap().phase.as_deref(),
        Some("Provisioning")
    );
    let finalizer = json!({"metadata": {"finalizers": ["coachai.dev/tenant-cleanup"]}});
    creators
        .patch(&name, &PatchParams::default(), &Patch::Merge(&finalizer))
        .await
        .unwrap();
    let none = json!({"metadata": {"finalizers": null}});
    creators
        .patch(&name, &PatchParams::default(), &Patch::Merge(&none))
        .await
        .unwrap();

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

    // An Event about the Creator.
    let event: Event = from_json(json!({
        "metadata": {"name": format!("{name}.rbac")},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "coachai.dev/operator", "reportingInstance": "coachai-operator",
        "action": "Reconcile", "reason": "Ready", "type": "Normal", "note": "rbac test",
        "regarding": {"apiVersion": "coachai.dev/v1alpha1", "kind": "Creator",
                      "namespace": tenant.name(), "name": name}
    }));
    let events = Api::<Event>::namespaced(operator.clone(), tenant.name());
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

    // What a Platform runs, in any namespace (dry run: nothing is left behind).
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
    Api::<Deployment>::namespaced(operator.clone(), tenant.name())
        .create(&dry, &deployment)
        .await
        .unwrap();
    let all = ListParams::default();
    Api::<Deployment>::all(operator.clone())
        .list(&all)
        .await
        .unwrap();
    Api::<Job>::all(operator.clone()).list(&all).await.unwrap();
    Api::<Service>::all(operator.clone())
        .list(&all)
        .await
        .unwrap();
    Api::<PodDisruptionBudget>::all(operator.clone())
        .list(&all)
        .await
        .unwrap();
    Api::<Ingress>::all(operator.clone())
        .list(&all)
        .await
        .unwrap();

    // A failed migration Job's pods and their logs (a missing pod: 404, not 403).
    let pods = Api::<Pod>::namespaced(operator, tenant.name());
    pods.list(&ListParams::default().labels("job-name=migrate"))
        .await
        .unwrap();
    match pods.logs("no-such-pod", &Default::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 404, "{status:?}"),
        other => panic!("reading a missing pod's logs: {other:?}"),
    }
}

#[tokio::test]
async fn the_service_account_is_refused_what_the_operator_never_does() {
    let release = Release::install("chart-deny", &[]).await;
    let elsewhere = TestNamespace::create("chart-elsewhere").await.unwrap();
    let operator = impersonate(&release).await;
    let here = release.ns.name();
    eventually(|| async {
        Api::<Creator>::all(operator.clone())
            .list(&ListParams::default())
            .await
    })
    .await;
    let dry = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let lease: Lease = from_json(json!({"metadata": {"name": RELEASE}}));
    let role: ClusterRole =
        from_json(json!({"metadata": {"name": "coachai-escalation"}, "rules": []}));
    let list = ListParams::default();

    forbidden(
        "delete a Node",
        Api::<Node>::all(operator.clone())
            .delete("no-such-node", &DeleteParams::default())
            .await,
    );
    forbidden(
        "create a ClusterRole",
        Api::<ClusterRole>::all(operator.clone())
            .create(&dry, &role)
            .await,
    );
    forbidden(
        "delete a Namespace",
        Api::<Namespace>::all(operator.clone())
            .delete(elsewhere.name(), &DeleteParams::default())
            .await,
    );
    forbidden(
        "change a CRD",
        Api::<CustomResourceDefinition>::all(operator.clone())
            .patch(
                "creators.coachai.dev",
                &PatchParams::default(),
                &Patch::Merge(&json!({"metadata": {"labels": {"x": "y"}}})),
            )
            .await,
    );
    forbidden(
        "create a Lease in another namespace",
        Api::<Lease>::namespaced(operator.clone(), elsewhere.name())
            .create(&dry, &lease)
            .await,
    );
    forbidden(
        "read another Lease in its own namespace",
        Api::<Lease>::namespaced(operator.clone(), here)
            .get("someone-elses-lease")
            .await,
    );
    forbidden(
        "list Leases",
        Api::<Lease>::namespaced(operator.clone(), here)
            .list(&list)
            .await,
    );
    forbidden(
        "read ConfigMaps",
        Api::<ConfigMap>::namespaced(operator.clone(), here)
            .list(&list)
            .await,
    );
    forbidden(
        "delete a Pod",
        Api::<Pod>::namespaced(operator.clone(), here)
            .delete("no-such-pod", &DeleteParams::default())
            .await,
    );
    forbidden(
        "patch Secrets",
        Api::<Secret>::namespaced(operator, elsewhere.name())
            .patch(
                "any",
                &PatchParams::default(),
                &Patch::Merge(&json!({"data": {}})),
            )
            .await,
    );
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
async fn eventually<F, Fut, T>(call: F)
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

fn forbidden<T: Debug>(what: &str, result: kube::Result<T>) {
    match result {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{what}: {status:?}"),
        other => panic!("the operator's ServiceAccount may {what}: {other:?}"),
    }
}

fn from_json<K: Resource + DeserializeOwned>(value: serde_json::Value) -> K {
    serde_json::from_value(value).unwrap()
}
