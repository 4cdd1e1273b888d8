//! The per-creator vector store against the real dev ChromaDB (`CHROMA_URL`): what a creator
//! stores is what their queries find, and nothing of another creator's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod canary;
mod failures;
mod lifecycle;

use coachai_ai_engine::vectors::{ChunkVector, Hit, VectorStore};
use coachai_common::CreatorId;
use serde_json::json;
use uuid::Uuid;

/// A store on `$CHROMA_URL` that has answered its heartbeat; fails the test saying what is
/// missing otherwise.
async fn store() -> VectorStore {
    let url = std::env::var("CHROMA_URL")
        .expect("CHROMA_URL is not set: source scripts/env.sh (and /work/devenv.sh) first");
    let store = VectorStore::new(&url).unwrap();
    if let Err(err) = store.heartbeat().await {
        panic!("ChromaDB at {url} does not answer ({err}); start the dev stack (make up)");
    }
    store
}

/// A creator no other test uses.
fn creator() -> CreatorId {
    CreatorId(Uuid::new_v4())
}

fn chunk(content_id: Uuid, version: i32, index: i32, embedding: [f32; 4]) -> ChunkVector {
    ChunkVector {
        chunk_id: Uuid::now_v7(),
        content_id,
        version,
        index,
        location: json!({"page": index + 1, "heading": "Breathing"}),
        embedding: embedding.to_vec(),
        text: Some(format!("chunk {index} of version {version}")),
    }
}

async fn ids(store: &VectorStore, creator: CreatorId, embedding: [f32; 4]) -> Vec<Uuid> {
    let hits = store.query(creator, &embedding, 10, -1.0).await.unwrap();
    hits.iter().map(|hit| hit.chunk_id).collect()
}

#[tokio::test]
async fn the_nearest_chunk_comes_first_with_its_metadata_intact() {
    let (store, tenant, content) = (store().await, creator(), Uuid::new_v4());
    let chunks = [
        chunk(content, 1, 0, [1.0, 0.0, 0.0, 0.0]),
        chunk(content, 1, 1, [0.0, 1.0, 0.0, 0.0]),
        chunk(content, 1, 2, [0.0, 0.0, 1.0, 0.0]),
    ];
    store.upsert_chunks(tenant, &chunks).await.unwrap();

    let hits = store
        .query(tenant, &[0.1, 0.9, 0.0, 0.0], 2, 0.0)
        .await
        .unwrap();

    let best = &hits[0];
    let expected = Hit {
        score: best.score,
        chunk_id: chunks[1].chunk_id,
        content_id: content,
        version: 1,
        location: json!({"page": 2, "heading": "Breathing"}),
    };
    assert_eq!(best, &expected);
    assert!(
        (best.score - 0.9939).abs() < 1e-3,
        "cosine similarity, got {}",
        best.score
    );
    assert_eq!(hits.len(), 2, "top_k bounds the hits: {hits:?}");
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn scores_are_cosine_similarity_whatever_the_vector_length() {
    let (store, tenant) = (store().await, creator());
    let stored = chunk(Uuid::new_v4(), 1, 0, [1.0, 0.0, 0.0, 0.0]);
    store
        .upsert_chunks(tenant, std::slice::from_ref(&stored))
        .await
        .unwrap();

    let same_direction = store
        .query(tenant, &[5.0, 0.0, 0.0, 0.0], 1, -1.0)
        .await
        .unwrap();
    let orthogonal = store
        .query(tenant, &[0.0, 3.0, 0.0, 0.0], 1, -1.0)
        .await
        .unwrap();

    assert!(
        (same_direction[0].score - 1.0).abs() < 1e-4,
        "{same_direction:?}"
    );
    assert!(orthogonal[0].score.abs() < 1e-4, "{orthogonal:?}");
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn one_creators_query_never_returns_another_creators_chunks() {
    let (store, alice, bob) = (store().await, creator(), creator());
    let vector = [0.3, 0.3, 0.3, 0.1];
    let of_alice = chunk(Uuid::new_v4(), 1, 0, vector);
    let of_bob = chunk(Uuid::new_v4(), 1, 0, vector);
    store
        .upsert_chunks(alice, std::slice::from_ref(&of_alice))
        .await
        .unwrap();
    store
        .upsert_chunks(bob, std::slice::from_ref(&of_bob))
        .await
        .unwrap();

    assert_eq!(ids(&store, alice, vector).await, [of_alice.chunk_id]);
    assert_eq!(ids(&store, bob, vector).await, [of_bob.chunk_id]);
    store.drop_collection(alice).await.unwrap();
    assert_eq!(
        ids(&store, bob, vector).await,
        [of_bob.chunk_id],
        "dropping alice spared bob"
    );
    store.drop_collection(bob).await.unwrap();
}

#[tokio::test]
async fn deleting_content_removes_its_vectors_and_only_its() {
    let (store, tenant) = (store().await, creator());
    let (gone, kept) = (Uuid::new_v4(), Uuid::new_v4());
    let chunks = [
        chunk(gone, 1, 0, [1.0, 0.0, 0.0, 0.0]),
        chunk(gone, 2, 0, [0.9, 0.1, 0.0, 0.0]),
        chunk(kept, 1, 0, [0.8, 0.2, 0.0, 0.0]),
    ];
    store.upsert_chunks(tenant, &chunks).await.unwrap();

    store.delete_content(tenant, gone).await.unwrap();

    assert_eq!(
        ids(&store, tenant, [1.0, 0.0, 0.0, 0.0]).await,
        [chunks[2].chunk_id]
    );
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn deleting_a_version_keeps_the_other_versions_of_the_content() {
    let (store, tenant, content) = (store().await, creator(), Uuid::new_v4());
    let old = chunk(content, 1, 0, [1.0, 0.0, 0.0, 0.0]);
    let new = chunk(content, 2, 0, [0.9, 0.1, 0.0, 0.0]);
    store
        .upsert_chunks(tenant, &[old, new.clone()])
        .await
        .unwrap();

    store.delete_version(tenant, content, 1).await.unwrap();

    let hits = store
        .query(tenant, &[1.0, 0.0, 0.0, 0.0], 10, -1.0)
        .await
        .unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].chunk_id, hits[0].version), (new.chunk_id, 2));
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn chunks_below_the_relevance_threshold_are_left_out() {
    let (store, tenant, content) = (store().await, creator(), Uuid::new_v4());
    let close = chunk(content, 1, 0, [1.0, 0.1, 0.0, 0.0]);
    let far = chunk(content, 1, 1, [0.0, 0.0, 1.0, 0.0]);
    store
        .upsert_chunks(tenant, &[close.clone(), far])
        .await
        .unwrap();

    let hits = store
        .query(tenant, &[1.0, 0.0, 0.0, 0.0], 10, 0.5)
        .await
        .unwrap();

    assert_eq!(
        hits.iter().map(|h| h.chunk_id).collect::<Vec<_>>(),
        [close.chunk_id]
    );
    assert!(hits[0].score >= 0.5);
    store.drop_collection(tenant).await.unwrap();
}
