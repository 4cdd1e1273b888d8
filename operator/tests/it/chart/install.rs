//! `helm install` into the harness: the CRDs are established and the operator Deployment is
//! what the chart promises (pods do not run containers on the kwok node; the operator itself
//! is tested in-process by the other suites).

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{EnvVar, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use serde_json::Value;

use coachai_operator::crd::Platform;

use super::{RELEASE, Release, chart_dir, platform_values};

#[tokio::test]
async fn helm_install_establishes_the_crds_and_makes_two_hardened_operator_replicas_and_the_platform()
 {
    let values = platform_values();
    let release = Release::install("chart-install", &["--values", &values]).await;
    let ns = &release.ns;

    let crds: Api<CustomResourceDefinition> = Api::all(ns.client().clone());
    for name in chart_crd_names() {
        established(&crds, &name).await;
    }

    let deployment = ns.api::<Deployment>().get(RELEASE).await.unwrap();
    let spec = deployment.spec;
    assert_eq!(spec.replicas, Some(2));
    let pod = spec.template.spec.unwrap();
    assert_eq!(pod.service_account_name.as_deref(), Some(RELEASE));
    let pod_security = pod.security_context.unwrap();
    assert_eq!(pod_security.run_as_non_root, Some(true));
    assert_eq!(
        pod_security.seccomp_profile.unwrap().type_,
        "RuntimeDefault"
    );

    let container = &pod.containers[0];
    assert_eq!(container.image.as_deref(), Some("coachai:0.1.0"));
    assert_eq!(
        container.args.as_deref(),
        Some(&["operator".to_string()][..])
    );
    let security = container.security_context.clone().unwrap();
    assert_eq!(security.run_as_non_root, Some(true));
    assert_eq!(security.read_only_root_filesystem, Some(true));
    assert_eq!(security.allow_privilege_escalation, Some(false));
    assert_eq!(
        security.capabilities.unwrap().drop,
        Some(vec!["ALL".to_string()])
    );
    assert_eq!(security.seccomp_profile.unwrap().type_, "RuntimeDefault");
    let probe_path = |probe: Option<&k8s_openapi::api::core::v1::Probe>| {
        let get = probe.and_then(|p| p.http_get.clone()).unwrap();
        (
            get.path.unwrap_or_default(),
            serde_json::to_value(get.port).unwrap(),
        )
    };
    assert_eq!(
        probe_path(container.liveness_probe.as_ref()),
        ("/healthz".into(), "http".into())
    );
    assert_eq!(
        probe_path(container.readiness_probe.as_ref()),
        ("/readyz".into(), "http".into())
    );
    assert_eq!(container.ports.as_ref().unwrap()[0].container_port, 8081);
    assert!(container.resources.as_ref().unwrap().limits.is_some());

    let env = env_by_name(container.env.clone().unwrap_or_default());
    assert_eq!(
        env["LEASE_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.namespace"
    );
    assert_eq!(
        env["POD_NAME"]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );
    assert_eq!(env["LEASE_NAME"]["value"], RELEASE);
    assert_eq!(env["OPERATOR_PORT"]["value"], "8081");
    assert_eq!(env["MODEL_GRACE_SECS"]["value"], "3600");
    assert_eq!(env["CREDENTIAL_HANDOVER_SECS"]["value"], "3600");
    for secret in ["DATABASE_URL", "OPERATOR_CREDENTIAL_KEY"] {
        assert!(
            env[secret].get("value").is_none(),
            "{secret} has a literal value"
        );
        assert_eq!(
            env[secret]["valueFrom"]["secretKeyRef"]["name"],
            "coachai-operator"
        );
        assert_eq!(env[secret]["valueFrom"]["secretKeyRef"]["key"], secret);
    }

    let metrics = ns
        .api::<Service>()
        .get(&format!("{RELEASE}-metrics"))
        .await
        .unwrap();
    let port = &metrics.spec.unwrap().ports.unwrap()[0];
    assert_eq!((port.name.as_deref(), port.port), (Some("metrics"), 8081));

    // The Platform from the values, running the chart's image.
    let platform = ns.api::<Platform>().get(RELEASE).await.unwrap();
    let spec = serde_json::to_value(&platform.spec).unwrap();
    assert_eq!(spec["image"]["repository"], "coachai");
    assert_eq!(spec["image"]["tag"], "0.1.0");
    assert_eq!(spec["services"]["auth"]["replicas"], 3);
}

/// The `metadata.name` of every CRD file in the chart.
fn chart_crd_names() -> Vec<String> {
    let dir = std::path::Path::new(&chart_dir()).join("crds");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let yaml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let crd: Value = serde_saphyr::from_str(&yaml).unwrap();
            crd["metadata"]["name"].as_str().unwrap().to_string()
        })
        .collect();
    names.sort();
    assert!(
        names.contains(&"creators.coachai.dev".to_string()),
        "{names:?}"
    );
    names
}

/// Waits (10 s at most) for the CRD's `Established` condition.
async fn established(crds: &Api<CustomResourceDefinition>, name: &str) {
    for _ in 0..40 {
        let crd = crds.get(name).await.unwrap();
        let conditions = crd.status.and_then(|s| s.conditions).unwrap_or_default();
        if conditions
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the CRD {name} is not Established");
}

fn env_by_name(env: Vec<EnvVar>) -> BTreeMap<String, Value> {
    env.into_iter()
        .map(|var| (var.name.clone(), serde_json::to_value(var).unwrap()))
        .collect()
}
