use kube::api::{ApiResource, DynamicObject, PostParams};
use kube::{Api, CustomResourceExt};
use serde_json::json;

use crate::widget::{self, Widget};

fn raw_widget(name: &str, spec: serde_json::Value) -> anyhow::Result<DynamicObject> {
    Ok(serde_json::from_value(json!({
        "apiVersion": "harness.coachai.dev/v1",
        "kind": "Widget",
        "metadata": { "name": name },
        "spec": spec,
    }))?)
}

async fn rejection(
    api: &Api<DynamicObject>,
    obj: &DynamicObject,
) -> anyhow::Result<kube::core::Status> {
    match api.create(&PostParams::default(), obj).await {
        Ok(created) => anyhow::bail!("the API server accepted an invalid widget: {created:?}"),
        Err(kube::Error::Api(status)) => Ok(*status),
        Err(other) => Err(other.into()),
    }
}

#[tokio::test]
async fn api_server_rejects_objects_that_violate_the_crd_schema() -> anyhow::Result<()> {
    let ns = widget::setup("schema-rejects").await?;
    let resource = ApiResource::erase::<Widget>(&());
    let api = Api::<DynamicObject>::namespaced_with(ns.client(), ns.name(), &resource);

    let too_many = rejection(
        &api,
        &raw_widget("too-many", json!({"parts": 11, "colour": "red"}))?,
    )
    .await?;
    assert_eq!(too_many.code, 422, "{too_many:?}");
    assert!(
        too_many.message.contains("spec.parts"),
        "{}",
        too_many.message
    );

    let wrong_type = rejection(
        &api,
        &raw_widget("wrong-type", json!({"parts": "many", "colour": "red"}))?,
    )
    .await?;
    assert_eq!(wrong_type.code, 422, "{wrong_type:?}");
    assert!(
        wrong_type.message.contains("spec.parts"),
        "{}",
        wrong_type.message
    );

    let missing = rejection(&api, &raw_widget("missing", json!({"parts": 2}))?).await?;
    assert_eq!(missing.code, 422, "{missing:?}");
    assert!(
        missing.message.contains("spec.colour"),
        "{}",
        missing.message
    );

    // Nothing of the rejected objects was stored.
    assert!(api.list(&Default::default()).await?.items.is_empty());
    ns.delete().await?;
    Ok(())
}

#[tokio::test]
async fn api_server_prunes_fields_the_schema_does_not_declare() -> anyhow::Result<()> {
    let ns = widget::setup("schema-prunes").await?;
    let resource = ApiResource::erase::<Widget>(&());
    let api = Api::<DynamicObject>::namespaced_with(ns.client(), ns.name(), &resource);
    let obj = raw_widget(
        "extra",
        json!({"parts": 3, "colour": "red", "undeclared": true}),
    )?;

    let stored = api.create(&PostParams::default(), &obj).await?;

    assert_eq!(stored.data["spec"], json!({"parts": 3, "colour": "red"}));
    let crd = Widget::crd();
    assert!(
        crd.spec.versions[0].schema.is_some(),
        "the CRD carries a structural schema"
    );
    Ok(())
}
