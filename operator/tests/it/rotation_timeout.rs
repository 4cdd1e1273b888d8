//! A credential hand-over that outlasts `CREDENTIAL_HANDOVER_SECS`: the old role is retired
//! anyway and a Warning Event names the Deployment that never became Ready on the new one.

use std::time::Duration;

use coachai_kube_harness::workloads_unavailable;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::events::v1::Event;
use kube::Api;
use kube::api::PostParams;
use serde_json::json;
use uuid::Uuid;

use crate::rotation_support::{
    available, container, database_ready, deployment, field, patch, refused, roles, rolled_to,
    rotate, secret_until,
};
use crate::support::{Operator, ready};

async fn warned(op: &Operator, naming: &str) {
    let events: Api<Event> = Api::namespaced(op.ns.client(), op.ns.name());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let list = events.list(&Default::default()).await.unwrap();
        let found = list.items.iter().any(|e| {
            e.reason.as_deref() == Some("CredentialHandoverTimedOut")
                && e.type_.as_deref() == Some("Warning")
                && e.note.as_deref().is_some_and(|n| n.contains(naming))
        });
        if found {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no Warning Event: {:?}",
            list.items
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_hand_over_outlasting_its_limit_retires_the_old_role_with_a_warning() {
    if let Some(why) = workloads_unavailable() {
        panic!("Deployments cannot roll out on the harness cluster: {why}");
    }
    let op = Operator::start_configured("op-handover", |s| s.credential_handover_secs = 4).await;
    let slug = format!("hto-{:08x}", Uuid::new_v4().as_u128() as u32);
    op.create(
        "analyst",
        &slug,
        json!({"databaseAccess": {"enabled": true}}),
    )
    .await;
    let creator = op.until("analyst", "Ready", ready).await;
    let status = creator.status.clone().unwrap();
    let id = Uuid::parse_str(status.creator_id.as_deref().unwrap()).unwrap();
    let name = status.credentials_secret.unwrap();
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let old = secrets.get(&name).await.unwrap();
    let deployments: Api<Deployment> = Api::namespaced(op.ns.client(), op.ns.name());
    let volume = json!({"name": "db", "secret": {"secretName": name}});
    let mut pod = container(json!({"volumeMounts": [{"name": "db", "mountPath": "/db"}]}));
    pod["volumes"] = json!([volume]);
    deployments
        .create(&PostParams::default(), &deployment("stuck", pod))
        .await
        .unwrap();
    available(&deployments, "stuck").await;
    patch(&deployments, "stuck", json!({"spec": {"paused": true}})).await;

    patch(&op.api, "analyst", rotate("1")).await;
    let slot_b = format!("tenant_{}_b", id.simple());
    let new = secret_until(&secrets, &name, |s| field(s, "username") == slot_b).await;
    refused(
        &field(&old, "uri"),
        "the old credential after the hand-over's limit",
    )
    .await;
    warned(&op, "stuck (0/1 updated)").await;
    assert_eq!(roles(&op, id).await, [slot_b.as_str()]);
    let stuck = deployments.get("stuck").await.unwrap();
    assert!(rolled_to(&stuck).is_some(), "the volume user was rolled");
    assert_eq!(
        stuck.status.unwrap().updated_replicas.unwrap_or(0),
        0,
        "it never ran on the new credential"
    );
    op.until("analyst", "RoleReady after the time-out", |c| {
        ready(c) && database_ready(c).0 == "RoleReady"
    })
    .await;
    assert_eq!(
        crate::rotation_support::visible_creators(&field(&new, "uri"))
            .await
            .unwrap(),
        [id]
    );
}
