//! The isolation canary the operator keeps in every non-empty collection: placed once with the
//! collection's dimension, read back through the creator's own path, and never a search hit.

use coachai_ai_engine::vectors::ChunkVector;
use uuid::Uuid;

use super::{chunk, creator, store};

#[tokio::test]
async fn an_empty_collection_gets_no_canary_so_its_dimension_stays_open() {
    let (store, tenant) = (store().await, creator());
    store.create_collection(tenant).await.unwrap();

    store.place_canary(tenant).await.unwrap();

    assert_eq!(store.canary_owners(tenant).await.unwrap(), []);
    let eight: ChunkVector = ChunkVector {
        embedding: vec![0.5; 8],
        ..chunk(Uuid::new_v4(), 1, 0, [0.0; 4])
    };
    store.upsert_chunks(tenant, &[eight]).await.unwrap();
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn the_canary_names_its_owner_once_and_is_never_a_hit() {
    let (store, alice, bob) = (store().await, creator(), creator());
    let vector = [1.0, 0.0, 0.0, 0.0];
    let chunks = [
        chunk(Uuid::new_v4(), 1, 0, [0.9, 0.1, 0.0, 0.0]),
        chunk(Uuid::new_v4(), 1, 1, [0.8, 0.2, 0.0, 0.0]),
    ];
    store.upsert_chunks(alice, &chunks).await.unwrap();
    store.upsert_chunks(bob, &chunks[..1]).await.unwrap();

    for _ in 0..2 {
        store.place_canary(alice).await.unwrap();
    }
    store.place_canary(bob).await.unwrap();

    assert_eq!(store.canary_owners(alice).await.unwrap(), [alice]);
    assert_eq!(store.canary_owners(bob).await.unwrap(), [bob]);
    // The canary lies exactly on the query vector, the nearest record of all.
    let hits = store.query(alice, &vector, 2, -1.0).await.unwrap();
    let found: Vec<Uuid> = hits.iter().map(|h| h.chunk_id).collect();
    assert_eq!(found, [chunks[0].chunk_id, chunks[1].chunk_id]);
    store.drop_collection(alice).await.unwrap();
    store.drop_collection(bob).await.unwrap();
}
