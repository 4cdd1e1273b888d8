//! Credential rotation with a hand-over: the new credential is in the Secret at once, the old one
//! keeps logging in until the Deployments reading the Secret run on the new one (on the kwok
//! node), then its role is gone; a second rotation returns to the first slot; deleting the
//! Creator drops both roles.

use std::time::Duration;

use coachai_kube_harness::workloads_unavailable;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::wait::{await_condition, conditions};
use serde_json::{Value, json};
use sqlx::Connection;
use uuid::Uuid;

use crate::support::{Operator, condition, ready};

const ROLL: &str = "coachai.dev/db-credentials";

pub fn field(secret: &Secret, key: &str) -> String {
    String::from_utf8(secret.data.as_ref().unwrap()[key].0.clone()).unwrap()
}

pub async fn secret_until(
    api: &Api<Secret>,
    name: &str,
    check: impl Fn(&Secret) -> bool,
) -> Secret {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(secret) = api.get_opt(name).await.unwrap().filter(|s| check(s)) {
            return secret;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Secret {name} never as expected"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub async fn visible_creators(uri: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(uri).await?;
    let seen = sqlx::query_scalar("SELECT id FROM creators")
        .fetch_all(&mut conn)
        .await;
    let _ = conn.close().await;
    seen
}

/// Waits until `uri` no longer logs in (60 s at most).
pub async fn refused(uri: &str, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while visible_creators(uri).await.is_ok() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: still logs in"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub async fn roles(op: &Operator, id: Uuid) -> Vec<String> {
    sqlx::query_scalar("SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1")
        .bind(format!("tenant_{}%", id.simple()))
        .fetch_all(op.db.preauth())
        .await
        .unwrap()
}

pub fn database_ready(creator: &coachai_operator::crd::Creator) -> (String, String) {
    let found = creator
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "DatabaseReady"));
    found.map_or_else(Default::default, |c| (c.reason.clone(), c.message.clone()))
}

pub fn deployment(name: &str, pod: Value) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod},
        },
    }))
    .unwrap()
}

pub fn container(extra: Value) -> Value {
    let mut c = json!({"name": "app", "image": "registry.invalid/coachai/never-pulled:1"});
    c.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"containers": [c]})
}

pub async fn available(api: &Api<Deployment>, name: &str) {
    let done = await_condition(api.clone(), name, conditions::is_deployment_completed());
    tokio::time::timeout(Duration::from_secs(90), done)
        .await
        .unwrap_or_else(|_| panic!("Deployment {name} never Available"))
        .unwrap();
}

pub async fn patch<K>(api: &Api<K>, name: &str, body: Value)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.patch(name, &PatchParams::default(), &Patch::Merge(&body))
        .await
        .unwrap();
}

pub fn rotate(value: &str) -> Value {
    json!({"metadata": {"annotations": {"coachai.dev/rotate-credentials": value}}})
}

pub fn rolled_to(deployment: &Deployment) -> Option<String> {
    let meta = deployment.spec.template.metadata.as_ref()?;
    meta.annotations.as_ref()?.get(ROLL).cloned()
}

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
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        visible_creators(&field(&old, "uri")).await.unwrap(),
        [id],
        "the old credential still logs in while the reader has not rolled"
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
