//! The Platform reconciler on the harness control plane (controller-manager, scheduler and the
//! kwok node, which completes Job pods and makes Deployment pods Ready without running them).

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::{Api, ResourceExt};
use serde_json::json;

use crate::platform_checks::{assert_hardened, assert_ingresses};
use crate::platform_support::{SERVICES, deployments, jobs, operator, platform, spec, until};

#[tokio::test]
async fn an_applied_platform_migrates_first_then_runs_four_hardened_services_behind_the_ingress() {
    let op = operator("pf-ready").await;
    let api: Api<coachai_operator::crd::Platform> = Api::namespaced(op.ns.client(), op.ns.name());
    api.create(&PostParams::default(), &platform("demo", spec("1.0.0")))
        .await
        .unwrap();
    let ready = until(
        &api,
        "demo",
        "Platform Ready",
        crate::platform_support::ready,
    )
    .await;
    let status = ready.status.clone().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Ready"));
    assert_eq!(status.migration_version.as_deref(), Some("1.0.0"));
    assert_eq!(status.ready_services.as_deref(), Some("4/4"));
    let replicas: Vec<(String, i32, i32)> = status
        .services
        .iter()
        .map(|s| (s.name.clone(), s.ready_replicas, s.desired_replicas))
        .collect();
    assert_eq!(
        replicas,
        [
            ("auth", 2, 2),
            ("creator-hub", 1, 1),
            ("ai-engine", 1, 1),
            ("channel", 1, 1)
        ]
        .map(|(n, r, d)| (n.to_owned(), r, d))
    );

    let job = jobs(&op.ns.api::<Job>(), "demo")
        .await
        .pop()
        .expect("the migration Job");
    let migrate = &job
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0];
    assert_eq!(migrate.args.as_deref(), Some(&["migrate".to_owned()][..]));
    let env = &migrate.env.as_ref().unwrap()[0];
    let from = env
        .value_from
        .as_ref()
        .unwrap()
        .secret_key_ref
        .as_ref()
        .unwrap();
    assert_eq!(
        (env.name.as_str(), from.name.as_str(), from.key.as_str()),
        ("DATABASE_URL", "db", "owner-url")
    );
    let completed = job
        .status
        .unwrap()
        .completion_time
        .expect("the Job completed")
        .0;

    let found = deployments(&op.ns.api::<Deployment>(), "demo").await;
    for service in SERVICES {
        let deployment = &found[&format!("demo-{service}")];
        assert!(
            deployment.creation_timestamp().unwrap().0 >= completed,
            "{service} made before the migration ended"
        );
        assert_hardened(deployment, service, &ready);
        let svc = op
            .ns
            .api::<Service>()
            .get(&format!("demo-{service}"))
            .await
            .unwrap();
        assert_eq!(svc.owner_references()[0].uid, ready.uid().unwrap());
    }
    let budgets = op.ns.api::<PodDisruptionBudget>();
    assert!(
        budgets.get_opt("demo-auth").await.unwrap().is_some(),
        "auth runs 2 replicas: a budget"
    );
    assert!(
        budgets.get_opt("demo-channel").await.unwrap().is_none(),
        "channel runs 1: no budget"
    );
    assert_ingresses(&op.ns.api::<Ingress>()).await;
}

#[tokio::test]
async fn a_new_image_tag_migrates_again_then_rolls_every_deployment() {
    let op = operator("pf-roll").await;
    let api: Api<coachai_operator::crd::Platform> = Api::namespaced(op.ns.client(), op.ns.name());
    api.create(&PostParams::default(), &platform("demo", spec("1.0.0")))
        .await
        .unwrap();
    until(
        &api,
        "demo",
        "Platform Ready",
        crate::platform_support::ready,
    )
    .await;
    let before = deployments(&op.ns.api::<Deployment>(), "demo").await;
    let old_job = jobs(&op.ns.api::<Job>(), "demo").await[0].name_any();

    let patch = json!({"spec": {"image": {"tag": "1.1.0"}}});
    api.patch("demo", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    let rolled = until(&api, "demo", "Ready on 1.1.0", |p| {
        crate::platform_support::ready(p)
            && p.status.as_ref().unwrap().migration_version.as_deref() == Some("1.1.0")
    })
    .await;
    let new_job = rolled.status.unwrap().migration_job.unwrap();
    assert_ne!(new_job, old_job, "a new image runs a new migration Job");
    let after = deployments(&op.ns.api::<Deployment>(), "demo").await;
    for (name, old) in &before {
        let new = &after[name];
        let hash = |d: &Deployment| {
            d.spec
                .template
                .metadata
                .as_ref()
                .unwrap()
                .annotations
                .clone()
                .unwrap()["coachai.dev/config-hash"]
                .clone()
        };
        assert_ne!(
            hash(old),
            hash(new),
            "{name}: the pod template's config hash changed"
        );
        let image = new.spec.template.spec.as_ref().unwrap().containers[0]
            .image
            .clone();
        assert_eq!(
            image.as_deref(),
            Some("registry.invalid/coachai/coachai:1.1.0")
        );
        assert!(
            new.metadata.generation > old.metadata.generation,
            "{name} rolled"
        );
    }
    let left: Vec<String> = jobs(&op.ns.api::<Job>(), "demo")
        .await
        .iter()
        .filter(|j| j.metadata.deletion_timestamp.is_none())
        .map(|j| j.name_any())
        .collect();
    assert_eq!(
        left,
        [new_job],
        "the old migration Job is deleted once the new one succeeded"
    );
}

#[tokio::test]
async fn deleting_the_platform_garbage_collects_everything_it_owned() {
    let op = operator("pf-gc").await;
    let api: Api<coachai_operator::crd::Platform> = Api::namespaced(op.ns.client(), op.ns.name());
    api.create(&PostParams::default(), &platform("demo", spec("1.0.0")))
        .await
        .unwrap();
    until(
        &api,
        "demo",
        "Platform Ready",
        crate::platform_support::ready,
    )
    .await;
    api.delete("demo", &DeleteParams::background())
        .await
        .unwrap();
    let deployments_api = op.ns.api::<Deployment>();
    let jobs_api = op.ns.api::<Job>();
    crate::platform_support::eventually("everything the Platform owned is gone", || async {
        let left = (
            deployments(&deployments_api, "demo").await.len(),
            jobs(&jobs_api, "demo").await.len(),
            op.ns
                .api::<Service>()
                .get_opt("demo-auth")
                .await
                .unwrap()
                .is_some(),
            op.ns
                .api::<PodDisruptionBudget>()
                .get_opt("demo-auth")
                .await
                .unwrap()
                .is_some(),
            op.ns
                .api::<Ingress>()
                .get_opt("demo")
                .await
                .unwrap()
                .is_some(),
        );
        if left == (0, 0, false, false, false) {
            Ok(())
        } else {
            Err(format!("{left:?}"))
        }
    })
    .await;
}
