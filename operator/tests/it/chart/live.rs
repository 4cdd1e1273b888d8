//! The operator itself, in-process, authenticated as the chart's ServiceAccount (pods run no
//! containers on the kwok node): it wins the chart's Lease in the release namespace and makes a
//! Creator in the namespace it watches (by default the release namespace) Ready, invitation
//! Secret and Events included, then removes it.

use std::sync::Arc;
use std::time::Duration;

use coachai_ollama_double::{Config as DoubleConfig, Model, OllamaDouble};
use coachai_operator::context::MANAGER;
use coachai_operator::crd::Creator;
use coachai_operator::leader::{self, LeaseSettings};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use kube::runtime::events::Recorder;
use serde_json::json;
use tokio::sync::oneshot;

use super::rbac::impersonate;
use super::{RELEASE, Release};
use crate::support::{CHAT, EMBEDDING, condition, context, shared_turn};

#[tokio::test]
async fn the_operator_as_the_charts_service_account_makes_a_creator_ready() {
    let release = Release::install("chart-live", &[]).await;
    let tenant = &release.ns;
    let _turn = shared_turn().await;
    let double = OllamaDouble::start(DoubleConfig {
        models: vec![Model::completion(CHAT), Model::embedding(EMBEDDING)],
        ..DoubleConfig::default()
    })
    .await
    .unwrap();
    let account = impersonate(&release).await;
    let mut ctx = Arc::into_inner(context(tenant, &double).await).unwrap();
    ctx.recorder = Recorder::new(account.clone(), MANAGER.into());
    ctx.client = account.clone();
    let stop = replica(Arc::new(ctx), release.ns.name(), tenant.name());

    let creators = tenant.api::<Creator>();
    let creator: Creator = serde_json::from_value(json!({
        "apiVersion": "coachai.dev/v1alpha1", "kind": "Creator",
        "metadata": {"name": "helm-coach"},
        "spec": {"displayName": "Helm Coach", "slug": format!("helm-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
                 "owner": {"email": "coach@example.com"},
                 "models": {"chat": CHAT, "embedding": EMBEDDING}},
    }))
    .unwrap();
    creators
        .create(&PostParams::default(), &creator)
        .await
        .unwrap();
    until(&creators, "helm-coach", "Ready", |c| {
        condition(c, "Ready").as_deref() == Some("True")
    })
    .await;

    let lease = Api::<Lease>::namespaced(release.ns.client(), release.ns.name());
    let holder = lease
        .get(RELEASE)
        .await
        .unwrap()
        .spec
        .unwrap()
        .holder_identity;
    assert_eq!(holder.as_deref(), Some("chart-live"));
    let invitation = tenant
        .api::<Secret>()
        .get("helm-coach-owner-invitation")
        .await
        .unwrap();
    assert!(invitation.data.unwrap().contains_key("url"));

    // The finalizer's clean-up runs with the same rights.
    creators
        .delete("helm-coach", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while creators.get_opt("helm-coach").await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Creator was never removed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let _ = stop.send(());
}

/// One operator replica on the chart's Lease, reconciling `watched` only (other tests' Creators
/// are not its business).
fn replica(
    ctx: Arc<coachai_operator::Context>,
    lease_ns: &str,
    watched: &str,
) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let lease = LeaseSettings {
        namespace: lease_ns.into(),
        name: RELEASE.into(),
        identity: "chart-live".into(),
        duration_secs: 3,
    };
    let watched = watched.to_string();
    tokio::spawn(async move {
        let lead = |lost: leader::LeadershipLost| {
            coachai_operator::controller::run(ctx.clone(), Some(watched.as_str()), lost.wait())
        };
        let result = leader::run(ctx.client.clone(), &lease, lead, async {
            let _ = stopped.await;
        })
        .await;
        assert!(
            result.is_ok(),
            "leader election as the ServiceAccount: {result:?}"
        );
    });
    stop
}

async fn until(api: &Api<Creator>, name: &str, what: &str, check: impl Fn(&Creator) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let current = api.get_opt(name).await.unwrap();
        if current.as_ref().is_some_and(&check) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: never happened; last {current:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
