//! What the chart's ServiceAccount never needs is refused with 403: cluster-wide writes, other
//! Leases, ConfigMaps, and — in the default mode, which watches one namespace — Secrets,
//! Creators and workloads in any other namespace.

use coachai_kube_harness::TestNamespace;
use coachai_operator::crd::Creator;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, Pod, Secret};
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};
use serde_json::json;

use super::rbac::{eventually, forbidden, from_json, impersonate};
use super::{RELEASE, Release};

#[tokio::test]
async fn the_service_account_is_refused_what_the_operator_never_does() {
    let release = Release::install("chart-deny", &[]).await;
    let elsewhere = TestNamespace::create("chart-elsewhere").await.unwrap();
    let operator = impersonate(&release).await;
    let here = release.ns.name();
    eventually(|| async {
        Api::<Creator>::namespaced(operator.clone(), here)
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
    outside_the_watched_namespace(&operator, elsewhere.name()).await;
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

/// What the operator does in its watched namespace, tried in `elsewhere` or cluster-wide.
async fn outside_the_watched_namespace(operator: &Client, elsewhere: &str) {
    let (list, dry) = (ListParams::default(), dry_run());
    let secret: Secret = from_json(json!({"metadata": {"name": "coach-owner-invitation"}}));
    let secrets = Api::<Secret>::namespaced(operator.clone(), elsewhere);
    forbidden(
        "read a Secret elsewhere",
        secrets.get("coachai-operator").await,
    );
    forbidden("list Secrets elsewhere", secrets.list(&list).await);
    forbidden(
        "create a Secret elsewhere",
        secrets.create(&dry, &secret).await,
    );
    forbidden(
        "delete a Secret elsewhere",
        secrets.delete("any", &DeleteParams::default()).await,
    );
    forbidden(
        "list Secrets cluster-wide",
        Api::<Secret>::all(operator.clone()).list(&list).await,
    );
    forbidden(
        "list Creators cluster-wide",
        Api::<Creator>::all(operator.clone()).list(&list).await,
    );
    let status = json!({"status": {"phase": "Ready"}});
    forbidden(
        "patch a Creator's status elsewhere",
        Api::<Creator>::namespaced(operator.clone(), elsewhere)
            .patch_status("any", &PatchParams::default(), &Patch::Merge(&status))
            .await,
    );
    let deployment: Deployment = from_json(json!({
        "metadata": {"name": "auth"},
        "spec": {"selector": {"matchLabels": {"app": "auth"}},
                 "template": {"metadata": {"labels": {"app": "auth"}},
                              "spec": {"containers": [{"name": "auth", "image": "coachai"}]}}}
    }));
    forbidden(
        "create a Deployment elsewhere",
        Api::<Deployment>::namespaced(operator.clone(), elsewhere)
            .create(&dry, &deployment)
            .await,
    );
    forbidden(
        "list Deployments cluster-wide",
        Api::<Deployment>::all(operator.clone()).list(&list).await,
    );
}

fn dry_run() -> PostParams {
    PostParams {
        dry_run: true,
        ..PostParams::default()
    }
}
