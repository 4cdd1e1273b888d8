//! Helpers of the credential rotation suites: the credentials Secret's fields, logins with a
//! credential, the tenant's roles, and Deployments that read the Secret on the kwok node.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{Patch, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use serde_json::{Value, json};
use sqlx::Connection;
use uuid::Uuid;

use crate::support::Operator;

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
