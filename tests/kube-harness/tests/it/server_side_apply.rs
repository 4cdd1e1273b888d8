use coachai_kube_harness::{FIELD_MANAGER, TestNamespace};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{ObjectMeta, Patch, PatchParams};

fn config_map(name: &str, greeting: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        data: Some([("greeting".to_owned(), greeting.to_owned())].into()),
        ..ConfigMap::default()
    }
}

#[tokio::test]
async fn applying_the_same_config_map_twice_changes_nothing() -> anyhow::Result<()> {
    let ns = TestNamespace::create("ssa-idempotent").await?;
    let api = ns.api::<ConfigMap>();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let desired = config_map("settings", "hello");

    let first = api
        .patch("settings", &params, &Patch::Apply(&desired))
        .await?;
    let second = api
        .patch("settings", &params, &Patch::Apply(&desired))
        .await?;

    assert!(first.metadata.resource_version.is_some());
    assert_eq!(
        first.metadata.resource_version,
        second.metadata.resource_version
    );
    let managers: Vec<_> = second
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, [FIELD_MANAGER]);
    Ok(())
}

#[tokio::test]
async fn applying_a_changed_config_map_bumps_the_resource_version() -> anyhow::Result<()> {
    let ns = TestNamespace::create("ssa-changes").await?;
    let api = ns.api::<ConfigMap>();
    let params = PatchParams::apply(FIELD_MANAGER).force();

    let first = api
        .patch(
            "settings",
            &params,
            &Patch::Apply(&config_map("settings", "hello")),
        )
        .await?;
    let second = api
        .patch(
            "settings",
            &params,
            &Patch::Apply(&config_map("settings", "hi")),
        )
        .await?;

    assert_ne!(
        first.metadata.resource_version,
        second.metadata.resource_version
    );
    assert_eq!(second.data.unwrap_or_default()["greeting"], "hi");
    Ok(())
}

#[tokio::test]
async fn a_second_manager_conflicts_on_a_field_it_does_not_own() -> anyhow::Result<()> {
    let ns = TestNamespace::create("ssa-conflict").await?;
    let api = ns.api::<ConfigMap>();
    api.patch(
        "settings",
        &PatchParams::apply(FIELD_MANAGER),
        &Patch::Apply(&config_map("settings", "hello")),
    )
    .await?;

    let outcome = api
        .patch(
            "settings",
            &PatchParams::apply("someone-else"),
            &Patch::Apply(&config_map("settings", "bye")),
        )
        .await;

    match outcome {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 409, "{status:?}"),
        other => anyhow::bail!("expected a 409 conflict, got {other:?}"),
    }
    Ok(())
}
