//! Vector isolation across tenants: every non-empty collection carries its owner's canary, the
//! AI Engine's tenant-scoped path of one Creator reaches only its own, and a record of another
//! tenant showing up in that path fails `IsolationVerified` with a Warning Event.

use std::time::Duration;

use coachai_ai_engine::vectors::{ChunkVector, canary_id, collection_name};
use coachai_common::tenancy::CreatorId;
use k8s_openapi::api::events::v1::Event;
use kube::Api;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Operator, ready};

fn chunk(embedding: Vec<f32>) -> ChunkVector {
    ChunkVector {
        chunk_id: Uuid::new_v4(),
        content_id: Uuid::new_v4(),
        version: 1,
        index: 0,
        location: json!({"page": 1}),
        embedding,
        text: Some("a chunk".into()),
    }
}

async fn tenant(op: &Operator, name: &str) -> CreatorId {
    let creator = op.until(name, "Ready", ready).await;
    CreatorId(Uuid::parse_str(creator.metadata.uid.as_deref().unwrap()).unwrap())
}

/// Waits until the canaries reachable through `id`'s path are exactly `expected`.
async fn until_owners(op: &Operator, id: CreatorId, expected: &[CreatorId]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let owners = op.ctx.vectors.canary_owners(id).await.unwrap();
        if owners == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the canaries reachable from {id}: {owners:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// ChromaDB's own REST API, outside the platform's path: what a mistake or an intruder would use.
async fn chroma(op: &Operator, collection: &str, action: &str, body: Value) {
    let base = format!(
        "{}/api/v2/tenants/default_tenant/databases/default_database/collections",
        op.ctx.config.common.chroma_url.trim_end_matches('/')
    );
    let http = reqwest::Client::new();
    let found: Value = http
        .get(format!("{base}/{collection}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = found["id"].as_str().unwrap().to_owned();
    let answer = http
        .post(format!("{base}/{id}/{action}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{action}: {:?}",
        answer.text().await
    );
}

fn isolation_reason(creator: &coachai_operator::crd::Creator) -> Option<(String, String)> {
    let found = creator
        .status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == "IsolationVerified")?;
    Some((format!("{:?}", found.status), found.reason.clone()))
}

#[tokio::test]
async fn another_tenants_vectors_are_never_reached_through_a_tenants_vector_path() {
    let op = Operator::start("op-vectors").await;
    let suffix = Uuid::new_v4().simple().to_string();
    op.create("alpha", &format!("alpha-{}", &suffix[..8]), json!({}))
        .await;
    op.create("beta", &format!("beta-{}", &suffix[..8]), json!({}))
        .await;
    let (a, b) = (tenant(&op, "alpha").await, tenant(&op, "beta").await);
    assert_ne!(collection_name(a), collection_name(b));

    // Content goes in through the AI Engine's store, as the embedding worker writes it; the
    // operator then keeps one canary in each collection.
    let same = vec![0.6, 0.8, 0.0, 0.0];
    let (a_chunk, b_chunk) = (chunk(same.clone()), chunk(same.clone()));
    op.ctx
        .vectors
        .upsert_chunks(a, std::slice::from_ref(&a_chunk))
        .await
        .unwrap();
    op.ctx
        .vectors
        .upsert_chunks(b, std::slice::from_ref(&b_chunk))
        .await
        .unwrap();
    until_owners(&op, a, &[a]).await;
    until_owners(&op, b, &[b]).await;

    // The nearest records to B's own vector, asked as A: A's chunk, never B's, never a canary.
    let hits = op.ctx.vectors.query(a, &same, 10, -1.0).await.unwrap();
    let found: Vec<Uuid> = hits.iter().map(|h| h.chunk_id).collect();
    assert_eq!(found, [a_chunk.chunk_id], "A's search found {hits:?}");

    // A record of B's appears in A's collection (written around the platform's path).
    let leaked = json!({
        "ids": [canary_id(b)], "embeddings": [same],
        "metadatas": [{"canary": "isolation", "creator_id": b.to_string()}],
    });
    chroma(&op, &collection_name(a), "upsert", leaked).await;
    let broken = op
        .until("alpha", "IsolationVerified=False", |c| {
            isolation_reason(c).is_some_and(|(s, r)| s == "False" && r == "CrossTenantVectors")
        })
        .await;
    let status = broken.status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    let message = &status
        .conditions
        .iter()
        .find(|c| c.type_ == "IsolationVerified")
        .unwrap()
        .message;
    assert!(message.contains(&b.to_string()), "{message}");
    warned(&op, &b.to_string()).await;
    let beta = op.api.get("beta").await.unwrap();
    assert_eq!(
        isolation_reason(&beta).unwrap(),
        ("True".into(), "Verified".into())
    );

    // Gone again: A is verified again.
    chroma(
        &op,
        &collection_name(a),
        "delete",
        json!({"ids": [canary_id(b)]}),
    )
    .await;
    op.until("alpha", "verified again", |c| {
        isolation_reason(c).is_some_and(|(s, _)| s == "True") && ready(c)
    })
    .await;
}

async fn warned(op: &Operator, naming: &str) {
    let events: Api<Event> = Api::namespaced(op.ns.client(), op.ns.name());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let list = events.list(&Default::default()).await.unwrap();
        let found = list.items.iter().any(|e| {
            e.reason.as_deref() == Some("CrossTenantVectors")
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
