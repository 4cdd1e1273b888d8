//! Two operator replicas on one Lease: only the holder reconciles; when it stops, the other
//! takes over within the Lease's duration.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use coachai_operator::Context;
use coachai_operator::crd::Creator;
use coachai_operator::leader::{self, LeaseSettings};
use k8s_openapi::api::coordination::v1::Lease;
use kube::Api;
use kube::api::PostParams;
use serde_json::json;
use tokio::sync::oneshot;

use crate::support::{CHAT, EMBEDDING, context, namespace_and_double, shared_turn};

fn replica(ctx: Arc<Context>, namespace: String, identity: &str) -> oneshot::Sender<()> {
    let (stop, stopped) = oneshot::channel::<()>();
    let lease = LeaseSettings {
        namespace: namespace.clone(),
        name: "coachai-operator".into(),
        identity: identity.into(),
        duration_secs: 3,
    };
    tokio::spawn(async move {
        let lead = |lost: leader::LeadershipLost| {
            coachai_operator::controller::run(ctx.clone(), Some(namespace.as_str()), lost.wait())
        };
        let _ = leader::run(ctx.client.clone(), &lease, lead, async {
            let _ = stopped.await;
        })
        .await;
    });
    stop
}

async fn holder(api: &Api<Lease>) -> Option<String> {
    let lease = api.get_opt("coachai-operator").await.unwrap()?;
    lease.spec?.holder_identity
}

#[tokio::test]
async fn only_the_lease_holder_reconciles_and_the_other_takes_over_when_it_stops() {
    let _turn = shared_turn().await;
    let (ns, double) = namespace_and_double("op-leader").await;
    let (a, b) = (context(&ns, &double).await, context(&ns, &double).await);
    let stop_a = replica(a.clone(), ns.name().to_owned(), "replica-a");
    let stop_b = replica(b.clone(), ns.name().to_owned(), "replica-b");
    let creators: Api<Creator> = Api::namespaced(ns.client(), ns.name());
    let slug = format!("lead-{:08x}", uuid::Uuid::new_v4().as_u128() as u32);
    let object: Creator = serde_json::from_value(json!({
        "apiVersion": "coachai.dev/v1alpha1", "kind": "Creator", "metadata": {"name": "led"},
        "spec": {"displayName": "Led", "slug": slug, "owner": {"email": "c@example.com"},
                 "models": {"chat": CHAT, "embedding": EMBEDDING}},
    }))
    .unwrap();
    creators
        .create(&PostParams::default(), &object)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;

    let leases: Api<Lease> = Api::namespaced(ns.client(), ns.name());
    let first = holder(&leases).await.expect("a replica holds the Lease");
    let (leader_ctx, follower_ctx, stop_leader, _stop_follower) = if first == "replica-a" {
        (a, b, stop_a, stop_b)
    } else {
        (b, a, stop_b, stop_a)
    };
    assert!(
        leader_ctx.reconciles.load(Ordering::Relaxed) > 0,
        "the leader reconciled"
    );
    assert_eq!(
        follower_ctx.reconciles.load(Ordering::Relaxed),
        0,
        "the follower reconciled"
    );

    stop_leader.send(()).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while follower_ctx.reconciles.load(Ordering::Relaxed) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the other replica never took over"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let second = holder(&leases).await.expect("a replica holds the Lease");
    assert_ne!(second, first);
}
