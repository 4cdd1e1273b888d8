use coachai_kube_harness::{TestNamespace, apply_crd};
use coachai_operator::crd::Creator;
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::{Api, CustomResourceExt};
use serde_json::{Value, json};

async fn namespace(prefix: &str) -> (TestNamespace, Api<DynamicObject>) {
    let ns = TestNamespace::create(prefix)
        .await
        .expect("the harness cluster (tests/cluster)");
    apply_crd(ns.client(), &Creator::crd()).await.unwrap();
    let resource = ApiResource::erase::<Creator>(&());
    let api = Api::namespaced_with(ns.client(), ns.name(), &resource);
    (ns, api)
}

fn creator(name: &str, spec: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "coachai.dev/v1alpha1",
        "kind": "Creator",
        "metadata": {"name": name},
        "spec": spec,
    }))
    .unwrap()
}

fn valid_spec() -> Value {
    json!({"displayName": "Kettlebell Coach", "slug": "kettlebell", "owner": {"email": "coach@example.com"}})
}

async fn refused(api: &Api<DynamicObject>, spec: Value) -> String {
    match api
        .create(&PostParams::default(), &creator("bad", spec))
        .await
    {
        Ok(created) => panic!("the API server accepted an invalid Creator: {created:?}"),
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 422, "{status:?}");
            status.message
        }
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_valid_creator_is_stored_with_its_defaults() {
    let (_ns, api) = namespace("creator-defaults").await;
    let created = api
        .create(&PostParams::default(), &creator("ok", valid_spec()))
        .await
        .unwrap();
    let spec = &created.data["spec"];
    assert_eq!(spec["models"]["chat"], "llama2:7b-chat");
    assert_eq!(spec["plan"], "free");
    assert_eq!(spec["quotas"]["requestsPerMinute"], 60);
    assert_eq!(spec["quotas"]["storage"], "100Mi");
}

#[tokio::test]
async fn invalid_creators_are_refused_naming_the_field() {
    let (_ns, api) = namespace("creator-invalid").await;
    let mut bad_slug = valid_spec();
    bad_slug["slug"] = json!("Not A Slug");
    assert!(refused(&api, bad_slug).await.contains("spec.slug"));
    let mut bad_plan = valid_spec();
    bad_plan["plan"] = json!("platinum");
    assert!(refused(&api, bad_plan).await.contains("spec.plan"));
    let mut negative = valid_spec();
    negative["quotas"] = json!({"documents": -1});
    assert!(
        refused(&api, negative)
            .await
            .contains("spec.quotas.documents")
    );
    let mut negative_storage = valid_spec();
    negative_storage["quotas"] = json!({"storage": "-5Mi"});
    assert!(
        refused(&api, negative_storage)
            .await
            .contains("spec.quotas.storage")
    );
    let mut no_owner = valid_spec();
    no_owner.as_object_mut().unwrap().remove("owner");
    assert!(refused(&api, no_owner).await.contains("spec.owner"));
}

#[tokio::test]
async fn the_slug_cannot_be_changed() {
    let (_ns, api) = namespace("creator-slug").await;
    api.create(&PostParams::default(), &creator("fixed", valid_spec()))
        .await
        .unwrap();
    let patch = json!({"spec": {"slug": "another-slug"}});
    let changed = api
        .patch("fixed", &PatchParams::default(), &Patch::Merge(&patch))
        .await;
    match changed {
        Err(kube::Error::Api(status)) => {
            assert_eq!(status.code, 422, "{status:?}");
            assert!(
                status.message.contains("slug is immutable"),
                "{}",
                status.message
            );
        }
        other => panic!("the slug was changed: {other:?}"),
    }
}

#[tokio::test]
async fn the_commented_example_is_a_valid_creator() {
    let (_ns, api) = namespace("creator-example").await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/creator.yaml");
    let yaml = std::fs::read_to_string(path).unwrap();
    let mut example: DynamicObject = serde_saphyr::from_str(&yaml).unwrap();
    example.metadata.namespace = None;
    let created = api.create(&PostParams::default(), &example).await.unwrap();
    assert_eq!(created.data["spec"]["slug"], "kettlebell");
}
