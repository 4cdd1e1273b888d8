//! The Creator reconciler on the real API server of the harness, with the local stack's
//! PostgreSQL, Redis and ChromaDB and the Ollama double.

use std::time::Duration;

use coachai_common::tenancy::CreatorId;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;
use uuid::Uuid;

use crate::support::{CHAT, Operator, condition, ready};

fn slug(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand_u32())
}

fn rand_u32() -> u32 {
    Uuid::new_v4().as_u128() as u32
}

async fn row(op: &Operator, id: CreatorId) -> Option<(String, String, serde_json::Value)> {
    let mut tx = op.db.begin_for(id).await.unwrap();
    let row = sqlx::query_as("SELECT status, chat_model, quotas FROM creators WHERE id = $1")
        .bind(id.0)
        .fetch_optional(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    row
}

fn tenant_id(creator: &kube::api::ObjectMeta) -> CreatorId {
    CreatorId(Uuid::parse_str(creator.uid.as_deref().unwrap()).unwrap())
}

#[tokio::test]
async fn an_applied_creator_becomes_a_ready_tenant_with_an_owner_invitation() {
    let op = Operator::start("op-ready").await;
    let slug = slug("ready");
    op.create("coach", &slug, json!({"quotas": {"storage": "2Gi"}}))
        .await;
    let creator = op.until("coach", "Ready", ready).await;
    let status = creator.status.clone().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Ready"));
    assert_eq!(status.creator_id.as_deref(), creator.uid().as_deref());
    for kind in [
        "DatabaseReady",
        "IsolationVerified",
        "VectorStoreReady",
        "ModelsReady",
    ] {
        assert_eq!(
            condition(&creator, kind).as_deref(),
            Some("True"),
            "{kind}: {status:#?}"
        );
    }
    assert!(
        status.models.iter().all(|m| m.digest.is_some()),
        "digests: {:?}",
        status.models
    );
    assert!(status.collection.unwrap().starts_with("creator_"));

    let id = tenant_id(&creator.metadata);
    let (state, chat, quotas) = row(&op, id).await.expect("the creator row");
    assert_eq!((state.as_str(), chat.as_str()), ("active", CHAT));
    assert_eq!(quotas["storage_bytes"], 2_147_483_648_i64);

    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let secret = secrets
        .get(status.invitation_secret.as_deref().unwrap())
        .await
        .unwrap();
    let data = secret.data.unwrap();
    let url = String::from_utf8(data["url"].0.clone()).unwrap();
    assert!(url.contains(&format!("/chat/{slug}/invite/")), "{url}");
    let owner = &secret.metadata.owner_references.unwrap()[0];
    assert_eq!(owner.uid, creator.uid().unwrap());
}

#[tokio::test]
async fn an_unchanged_creator_is_resynced_without_a_single_write() {
    // A repair of row level security (the drift test) rightly changes every status.
    let op = Operator::start_alone("op-idle").await;
    op.create("idle", &slug("idle"), json!({})).await;
    let creator = op.until("idle", "Ready", ready).await;
    let id = tenant_id(&creator.metadata);
    let before = updated_at(&op, id).await;
    // The operator resyncs every 2 s in this test: three passes over an unchanged object.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let after = op.api.get("idle").await.unwrap();
    assert_eq!(
        after.resource_version(),
        creator.resource_version(),
        "the Creator was written"
    );
    assert_eq!(
        updated_at(&op, id).await,
        before,
        "the creator row was written"
    );
}

async fn updated_at(op: &Operator, id: CreatorId) -> String {
    let mut tx = op.db.begin_for(id).await.unwrap();
    let at: String = sqlx::query_scalar("SELECT updated_at::text FROM creators WHERE id = $1")
        .bind(id.0)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    at
}

#[tokio::test]
async fn a_deleted_invitation_secret_is_made_again_with_a_new_invitation() {
    let op = Operator::start("op-secret").await;
    op.create("handover", &slug("hand"), json!({})).await;
    let creator = op.until("handover", "Ready", ready).await;
    let name = creator.status.unwrap().invitation_secret.unwrap();
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let first = secrets.get(&name).await.unwrap();
    secrets
        .delete(&name, &DeleteParams::default())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let again = loop {
        if let Some(secret) = secrets.get_opt(&name).await.unwrap() {
            break secret;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Secret was not made again"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_ne!(first.data.unwrap()["token"], again.data.unwrap()["token"]);
}

#[tokio::test]
async fn deleting_a_creator_removes_its_tenant_before_the_object_goes() {
    let op = Operator::start("op-delete").await;
    op.create("gone", &slug("gone"), json!({})).await;
    let creator = op.until("gone", "Ready", ready).await;
    let id = tenant_id(&creator.metadata);
    op.api
        .delete("gone", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while op.api.get_opt("gone").await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Creator never went away"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(row(&op, id).await.is_none(), "the tenant's rows are gone");
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let left = secrets.list(&Default::default()).await.unwrap();
    assert!(
        left.items
            .iter()
            .all(|s| !s.name_any().starts_with("gone-")),
        "the tenant's Secrets are gone"
    );
}

#[tokio::test]
async fn row_level_security_switched_off_by_hand_is_switched_on_again_with_a_warning() {
    let op = Operator::start_alone("op-drift").await;
    op.create("guarded", &slug("guard"), json!({})).await;
    op.until("guarded", "Ready", ready).await;
    let owner_url = std::env::var("MIGRATION_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai".into()
    });
    let owner = sqlx::PgPool::connect(&owner_url)
        .await
        .expect("the migration owner connects");
    sqlx::query("ALTER TABLE conversations NO FORCE ROW LEVEL SECURITY")
        .execute(&owner)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let forced: bool = sqlx::query_scalar(
            "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'conversations'",
        )
        .fetch_one(&owner)
        .await
        .unwrap();
        if forced {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "row level security stayed off"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let events: Api<k8s_openapi::api::events::v1::Event> =
        Api::namespaced(op.ns.client(), op.ns.name());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let list = events.list(&Default::default()).await.unwrap();
        let warned = list.items.iter().any(|e| {
            e.reason.as_deref() == Some("RowLevelSecurityRepaired")
                && e.type_.as_deref() == Some("Warning")
                && e.note
                    .as_deref()
                    .is_some_and(|n| n.contains("conversations"))
        });
        if warned {
            break;
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
async fn a_model_two_creators_use_is_pulled_once_in_the_background() {
    let op = Operator::start("op-pull").await;
    let models = json!({"models": {"chat": "llama3.2", "embedding": crate::support::EMBEDDING}});
    op.create("first", &slug("pull-a"), models.clone()).await;
    op.create("second", &slug("pull-b"), models).await;
    for name in ["first", "second"] {
        let creator = op.until(name, "Ready after the pull", ready).await;
        let pulled = creator.status.unwrap().models;
        let llama = pulled.iter().find(|m| m.name == "llama3.2").unwrap();
        assert_eq!(llama.state, "Present");
        assert!(
            llama.digest.as_deref().is_some_and(|d| d.len() >= 12),
            "{llama:?}"
        );
    }
    let pulls = op.double.requests_to(coachai_ollama_double::Endpoint::Pull);
    assert_eq!(pulls.len(), 1, "one pull for two Creators: {pulls:?}");
}

#[tokio::test]
async fn a_delete_started_while_the_operator_is_down_completes_after_it_restarts() {
    let first = Operator::start("op-restart").await;
    first.create("restarted", &slug("rest"), json!({})).await;
    let creator = first.until("restarted", "Ready", ready).await;
    let id = tenant_id(&creator.metadata);
    let (ns, double) = first.stop().await;
    let api: Api<coachai_operator::crd::Creator> = Api::namespaced(ns.client(), ns.name());
    api.delete("restarted", &DeleteParams::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        api.get_opt("restarted").await.unwrap().is_some(),
        "held by the finalizer"
    );

    let second = Operator::resume(ns, double).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while second.api.get_opt("restarted").await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the delete never completed"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        row(&second, id).await.is_none(),
        "the tenant's rows are gone"
    );
}

#[tokio::test]
async fn a_pulled_model_no_creator_uses_any_more_is_deleted_after_the_grace_period() {
    let op = Operator::start("op-gc").await;
    let models = json!({"models": {"chat": "llama3.2", "embedding": crate::support::EMBEDDING}});
    op.create("switcher", &slug("gc"), models).await;
    op.until("switcher", "Ready after the pull", ready).await;
    assert!(op.double.models().iter().any(|m| m.starts_with("llama3.2")));
    let back = json!({"spec": {"models": {"chat": CHAT}}});
    op.api
        .patch("switcher", &PatchParams::default(), &Patch::Merge(&back))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while op.double.models().iter().any(|m| m.starts_with("llama3.2")) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the unused model stayed; deletes: {:?}",
            op.double
                .requests_to(coachai_ollama_double::Endpoint::Delete)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        op.double.models().iter().any(|m| m.starts_with("smollm2")),
        "a model the operator did not pull is never deleted"
    );
}
