use std::time::Duration;

use coachai_kube_harness::{TestNamespace, workloads_unavailable};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{ObjectMeta, PostParams};
use kube::runtime::wait::{await_condition, conditions};

fn deployment(name: &str, replicas: i32) -> Deployment {
    let labels: std::collections::BTreeMap<_, _> = [("app".to_owned(), name.to_owned())].into();
    Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "app".into(),
                        // kwok runs no container, so the image is never pulled.
                        image: Some("registry.invalid/coachai/never-pulled:1".into()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

#[tokio::test]
async fn a_deployment_rolls_out_to_available_on_the_simulated_node() -> anyhow::Result<()> {
    if let Some(reason) = workloads_unavailable() {
        anyhow::bail!("Deployments cannot roll out on the harness cluster: {reason}");
    }
    let ns = TestNamespace::create("rollout").await?;
    let api = ns.api::<Deployment>();
    api.create(&PostParams::default(), &deployment("web", 2))
        .await?;

    let completed = await_condition(api.clone(), "web", conditions::is_deployment_completed());
    tokio::time::timeout(Duration::from_secs(120), completed).await??;

    let status = api.get("web").await?.status.unwrap_or_default();
    assert_eq!(status.available_replicas, Some(2), "{status:?}");
    let available = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_.as_deref() == Some("Available"))
        .and_then(|c| c.status);
    assert_eq!(available.as_deref(), Some("True"));
    Ok(())
}
