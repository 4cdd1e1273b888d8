//! Credential rotation with a hand-over: the new credential is in the Secret at once, the old one
//! keeps logging in until the Deployments reading the Secret run on the new one (on the kwok
//! node), then its role is gone; a second rotation returns to the first slot; deleting the
//! Creator drops both roles.

use std::time::Duration;

use coachai_kube_harness::workloads_unavailable;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use serde_json::json;
use uuid::Uuid;

use crate::rotation_support::{
    available, container, database_ready, deployment, field, patch, refused, roles, rolled_to,
    rotate, secret_until, visible_creators,
};
use crate::support::{Operator, condition, ready};

#[tokio::test]
async fn a_rotation_keeps_the_old_credential_until_the_deployments_using_it_run_on_the_new_one() {
    if let Some(why) = workloads_unavailable() {
        panic!("Deployments cannot roll out on the harness cluster: {why}");
    }
    let op = Operator::start("op-rotate").await;
    let slug = format!("rot-{:08x}", Uuid::new_v4().as_u128() as u32);
    op.create(
        "analyst",
        &slug,
        json!({"databaseAccess": {"enabled": true}}),
    )
    .await;
    let creator = op.until("analyst", "Ready", ready).await;
    let status = creator.status.clone().unwrap();
    let id = Uuid::parse_str(status.creator_id.as_deref().unwrap()).unwrap();
    let (slot_a, slot_b) = (
        format!("tenant_{}", id.simple()),
        format!("tenant_{}_b", id.simple()),
    );
    let name = status.credentials_secret.unwrap();
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let old = secrets.get(&name).await.unwrap();
    assert_eq!(field(&old, "username"), slot_a);

    let deployments: Api<Deployment> = Api::namespaced(op.ns.client(), op.ns.name());
    let reader = deployment(
        "reader",
        container(json!({"envFrom": [{"secretRef": {"name": name}}]})),
    );
    let bystander = deployment("bystander", container(json!({})));
    for d in [&reader, &bystander] {
        deployments.create(&PostParams::default(), d).await.unwrap();
    }
    available(&deployments, "reader").await;
    available(&deployments, "bystander").await;
    patch(&deployments, "reader", json!({"spec": {"paused": true}})).await;

    patch(&op.api, "analyst", rotate("1")).await;
    let new = secret_until(&secrets, &name, |s| field(s, "username") == slot_b).await;
    assert_ne!(field(&new, "password"), field(&old, "password"));
    assert_eq!(
        visible_creators(&field(&new, "uri")).await.unwrap(),
        [id],
        "the new role sees only its creator"
    );
    let rotating = op
        .until("analyst", "RotatingCredentials", |c| {
            database_ready(c).0 == "RotatingCredentials"
        })
        .await;
    assert!(
        database_ready(&rotating).1.contains("reader (0/1 updated)"),
        "{:?}",
        database_ready(&rotating)
    );
    let reader_now = deployments.get("reader").await.unwrap();
    assert!(
        rolled_to(&reader_now).is_some_and(|h| h.len() == 16),
        "the reader is rolled"
    );
    assert_eq!(
        rolled_to(&deployments.get("bystander").await.unwrap()),
        None,
        "never patched"
    );
    let before = op
        .api
        .get("analyst")
        .await
        .unwrap()
        .metadata
        .resource_version;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        visible_creators(&field(&old, "uri")).await.unwrap(),
        [id],
        "the old credential still logs in while the reader has not rolled"
    );
    let after = op
        .api
        .get("analyst")
        .await
        .unwrap()
        .metadata
        .resource_version;
    assert_eq!(
        before, after,
        "reconciles of a pending hand-over write nothing"
    );
    assert_eq!(
        deployments.get("reader").await.unwrap().metadata.generation,
        reader_now.metadata.generation,
        "the reader is patched once"
    );
    assert_eq!(roles(&op, id).await, [slot_a.as_str(), slot_b.as_str()]);
    let probed = database_ready(&rotating);
    assert_eq!(
        condition(&rotating, "IsolationVerified").as_deref(),
        Some("True"),
        "the isolation probe passes as slot b: {probed:?}"
    );
    assert_eq!(
        rotating.status.unwrap().database_role.as_deref(),
        Some(slot_b.as_str())
    );

    patch(&deployments, "reader", json!({"spec": {"paused": false}})).await;
    refused(
        &field(&old, "uri"),
        "the old credential once the reader rolled",
    )
    .await;
    let rolled = deployments.get("reader").await.unwrap();
    let rolled_status = rolled.status.clone().unwrap();
    assert!(
        rolled_status.observed_generation >= rolled.metadata.generation,
        "{rolled_status:?}"
    );
    assert_eq!(rolled_status.updated_replicas, Some(1), "{rolled_status:?}");
    assert_eq!(
        rolled_status.available_replicas,
        Some(1),
        "{rolled_status:?}"
    );
    assert_eq!(
        roles(&op, id).await,
        [slot_b.as_str()],
        "the old role is gone"
    );
    assert_eq!(visible_creators(&field(&new, "uri")).await.unwrap(), [id]);
    op.until("analyst", "RoleReady again", |c| {
        ready(c) && database_ready(c).0 == "RoleReady"
    })
    .await;

    patch(&deployments, "reader", json!({"spec": {"paused": true}})).await;
    patch(&op.api, "analyst", rotate("2")).await;
    let third = secret_until(&secrets, &name, |s| field(s, "username") == slot_a).await;
    assert_eq!(
        visible_creators(&field(&third, "uri")).await.unwrap(),
        [id],
        "back in slot a"
    );
    assert_eq!(
        visible_creators(&field(&new, "uri")).await.unwrap(),
        [id],
        "slot b waits for the reader"
    );
    patch(&op.api, "analyst", rotate("3")).await;
    let queued = op
        .until("analyst", "the third rotation waits", |c| {
            database_ready(c).1.contains("waits for this hand-over")
        })
        .await;
    assert_eq!(database_ready(&queued).0, "RotatingCredentials");
    let kept = secrets.get(&name).await.unwrap();
    assert_eq!(
        field(&kept, "password"),
        field(&third, "password"),
        "a rotation asked during a hand-over waits for it to end"
    );
    assert_eq!(roles(&op, id).await, [slot_a.as_str(), slot_b.as_str()]);
    op.api
        .delete("analyst", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while op.api.get_opt("analyst").await.unwrap().is_some() {
        assert!(tokio::time::Instant::now() < deadline, "the Creator stayed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        roles(&op, id).await,
        Vec::<String>::new(),
        "the finalizer drops both slots"
    );
}
