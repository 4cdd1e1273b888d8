//! The Platform's desired objects and status, built pure, and its schema as the API server
//! enforces it.

use coachai_kube_harness::{TestNamespace, apply_crd};
use coachai_operator::crd::{self, ConditionStatus, Platform, SecretKeyRef};
use coachai_operator::platform::{
    Migration, Observed, ServiceKind, build_status, deployment, disruption_budget, migration_job,
};
use kube::api::{ApiResource, DynamicObject, PostParams};
use kube::{Api, CustomResourceExt};
use serde_json::{Value, json};

use crate::platform_support::{platform, spec};

fn demo(tag: &str) -> Platform {
    let mut object = platform("demo", spec(tag));
    object.metadata.namespace = Some("ns".into());
    object.metadata.uid = Some("00000000-0000-0000-0000-000000000001".into());
    object
}

#[test]
fn a_new_image_names_a_new_migration_job_and_a_replica_change_does_not() {
    let name = |p: &Platform| {
        migration_job(p)["metadata"]["name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = demo("1.0.0");
    let mut scaled = demo("1.0.0");
    scaled.spec.services.channel.replicas = 3;
    assert_eq!(name(&first), name(&scaled));
    assert_ne!(name(&first), name(&demo("1.1.0")));
    assert!(name(&first).starts_with("demo-migrate-") && name(&first).len() <= 63);
}

#[test]
fn only_a_service_with_more_than_one_replica_gets_a_disruption_budget() {
    let object = demo("1.0.0");
    let budget = disruption_budget(&object, ServiceKind::Auth).expect("auth runs 2 replicas");
    assert_eq!(budget["spec"]["minAvailable"], 1);
    assert!(disruption_budget(&object, ServiceKind::Channel).is_none());
}

#[test]
fn a_failed_migration_fails_the_platform_with_its_message_and_keeps_the_last_version() {
    let observed = Observed {
        generation: Some(2),
        tag: "1.1.0".into(),
        migration: Some(Migration::Failed(
            "demo-migrate-x".into(),
            "exit 1; last log lines: boom".into(),
        )),
        ..Observed::default()
    };
    let previous = crd::PlatformStatus {
        migration_version: Some("1.0.0".into()),
        ..Default::default()
    };
    let status = build_status(Some(&previous), &observed, "2026-01-01T00:00:00Z");
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    assert_eq!(status.migration_version.as_deref(), Some("1.0.0"));
    let migrated = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Migrated")
        .unwrap();
    assert_eq!(migrated.status, ConditionStatus::False);
    assert!(migrated.message.contains("boom"), "{}", migrated.message);
}

#[test]
fn the_same_observation_later_builds_the_same_status() {
    let observed = Observed {
        generation: Some(1),
        tag: "1.0.0".into(),
        migration: Some(Migration::Running("demo-migrate-x".into())),
        ..Observed::default()
    };
    let first = build_status(None, &observed, "2026-01-01T00:00:00Z");
    let again = build_status(Some(&first), &observed, "2026-01-01T00:05:00Z");
    assert_eq!(first, again);
    assert_eq!(first.phase.as_deref(), Some("Migrating"));
}

#[test]
fn every_field_of_the_platform_spec_is_described() {
    let crd = serde_json::to_value(Platform::crd()).unwrap();
    let spec = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
    described("spec", spec);
}

fn described(path: &str, schema: &Value) {
    for (name, field) in schema["properties"].as_object().into_iter().flatten() {
        let here = format!("{path}.{name}");
        assert!(
            field["description"].is_string(),
            "{here} has no description"
        );
        described(&here, field);
    }
}

#[tokio::test]
async fn invalid_platforms_are_refused_naming_the_field() {
    let ns = TestNamespace::create("pf-invalid")
        .await
        .expect("the harness cluster (tests/cluster)");
    apply_crd(ns.client(), &Platform::crd()).await.unwrap();
    let resource = ApiResource::erase::<Platform>(&());
    let api: Api<DynamicObject> = Api::namespaced_with(ns.client(), ns.name(), &resource);
    let cases = [
        ("/services/auth", "replicas", json!(-1)),
        ("/image", "pullPolicy", json!("Sometimes")),
        ("/dependencies", "redisUrl", json!("http://redis")),
        ("/ingress/rateLimit", "rps", json!(0)),
    ];
    for (parent, key, value) in cases {
        let field = format!("spec{}.{key}", parent.replace('/', "."));
        let mut bad = spec("1.0.0");
        bad.pointer_mut(parent)
            .unwrap_or_else(|| panic!("{parent}"))[key] = value;
        let refused = api
            .create(&PostParams::default(), &dynamic("bad", bad))
            .await;
        match refused {
            Err(kube::Error::Api(status)) => {
                assert_eq!(status.code, 422, "{status:?}");
                assert!(
                    status.message.contains(&field),
                    "{field}: {}",
                    status.message
                );
            }
            other => panic!("{field}: the API server accepted it: {other:?}"),
        }
    }
    api.create(&PostParams::default(), &dynamic("good", spec("1.0.0")))
        .await
        .unwrap();
}

/// A Platform the client does not check, so the API server's schema decides.
fn dynamic(name: &str, spec: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "coachai.dev/v1alpha1", "kind": "Platform",
        "metadata": {"name": name}, "spec": spec,
    }))
    .unwrap()
}

/// The names of the environment variables of `kind`'s container.
fn env_of(platform: &Platform, kind: ServiceKind) -> Vec<Value> {
    let deployment = deployment(platform, kind, "hash");
    deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn has(env: &[Value], name: &str) -> bool {
    env.iter().any(|var| var["name"] == name)
}

#[test]
fn the_channel_alone_reads_the_messaging_key_from_its_secret_when_one_is_named() {
    let mut platform = demo("1.0.0");
    assert!(!has(
        &env_of(&platform, ServiceKind::Channel),
        "CHANNEL_SECRETS_KEY"
    ));
    platform.spec.dependencies.channel_secrets_key = Some(SecretKeyRef {
        name: "messaging".into(),
        key: "envelope".into(),
    });
    let channel = env_of(&platform, ServiceKind::Channel);
    let var = channel
        .iter()
        .find(|var| var["name"] == "CHANNEL_SECRETS_KEY")
        .expect("the Channel reads the key");
    assert_eq!(var["valueFrom"]["secretKeyRef"]["name"], "messaging");
    assert_eq!(var["valueFrom"]["secretKeyRef"]["key"], "envelope");
    for kind in [
        ServiceKind::Auth,
        ServiceKind::CreatorHub,
        ServiceKind::AiEngine,
    ] {
        assert!(!has(&env_of(&platform, kind), "CHANNEL_SECRETS_KEY"));
    }
}
