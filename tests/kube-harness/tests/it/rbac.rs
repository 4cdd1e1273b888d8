use coachai_kube_harness::TestNamespace;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use kube::api::{ListParams, ObjectMeta, PostParams};
use kube::{Api, Client};

#[tokio::test]
async fn rbac_limits_a_user_to_what_its_role_grants() -> anyhow::Result<()> {
    let ns = TestNamespace::create("rbac").await?;
    let meta = |name: &str| ObjectMeta {
        name: Some(name.into()),
        ..ObjectMeta::default()
    };
    let role = Role {
        metadata: meta("config-reader"),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["configmaps".into()]),
            verbs: vec!["get".into(), "list".into()],
            ..PolicyRule::default()
        }]),
    };
    let binding = RoleBinding {
        metadata: meta("alice-reads-config"),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: "config-reader".into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "User".into(),
            name: "alice".into(),
            ..Subject::default()
        }]),
    };
    ns.api::<Role>()
        .create(&PostParams::default(), &role)
        .await?;
    ns.api::<RoleBinding>()
        .create(&PostParams::default(), &binding)
        .await?;

    // The admin may impersonate; requests then run with alice's permissions only.
    let mut config = coachai_kube_harness::config().await?;
    config.auth_info.impersonate = Some("alice".into());
    let alice = Client::try_from(config)?;

    let config_maps = Api::<ConfigMap>::namespaced(alice.clone(), ns.name());
    let secrets = Api::<Secret>::namespaced(alice.clone(), ns.name());
    let elsewhere = Api::<ConfigMap>::namespaced(alice, "default");

    // RBAC grants are eventually consistent with the authorizer's cache; retry briefly.
    let mut granted = config_maps.list(&ListParams::default()).await;
    for _ in 0..20 {
        if granted.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        granted = config_maps.list(&ListParams::default()).await;
    }
    granted?;
    for denied in [
        secrets.list(&ListParams::default()).await.map(|_| ()),
        elsewhere.list(&ListParams::default()).await.map(|_| ()),
    ] {
        match denied {
            Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{status:?}"),
            other => anyhow::bail!("expected 403 Forbidden, got {other:?}"),
        }
    }
    Ok(())
}
