//! A creator's collection over its life: absent before the first vector, created once by
//! provisioning, dropped with the creator, even while another process still holds its handle.

use uuid::Uuid;

use super::{chunk, creator, ids, store};

#[tokio::test]
async fn a_creator_without_vectors_yet_has_no_hits_rather_than_an_error() {
    let (store, tenant) = (store().await, creator());

    assert_eq!(
        store
            .query(tenant, &[1.0, 0.0, 0.0, 0.0], 5, 0.0)
            .await
            .unwrap(),
        []
    );
    store.delete_content(tenant, Uuid::new_v4()).await.unwrap();
    store
        .delete_version(tenant, Uuid::new_v4(), 1)
        .await
        .unwrap();
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn a_collection_dropped_by_another_process_reads_empty_and_comes_back_on_upsert() {
    let (store, elsewhere, tenant) = (store().await, store().await, creator());
    let probe = [1.0, 0.0, 0.0, 0.0];
    let first = chunk(Uuid::new_v4(), 1, 0, probe);
    store
        .upsert_chunks(tenant, std::slice::from_ref(&first))
        .await
        .unwrap();
    assert_eq!(
        ids(&store, tenant, probe).await,
        [first.chunk_id],
        "store caches the handle"
    );

    elsewhere.drop_collection(tenant).await.unwrap();
    assert!(
        ids(&store, tenant, probe).await.is_empty(),
        "a stale handle reads as empty"
    );

    let second = chunk(Uuid::new_v4(), 1, 0, probe);
    store
        .upsert_chunks(tenant, std::slice::from_ref(&second))
        .await
        .unwrap();
    assert_eq!(ids(&elsewhere, tenant, probe).await, [second.chunk_id]);
    store.drop_collection(tenant).await.unwrap();
}

#[tokio::test]
async fn provisioning_a_collection_twice_leaves_one_empty_cosine_collection() {
    let (store, tenant) = (store().await, creator());
    store.create_collection(tenant).await.unwrap();
    store.create_collection(tenant).await.unwrap();
    assert_eq!(
        store
            .query(tenant, &[1.0, 0.0, 0.0, 0.0], 5, -1.0)
            .await
            .unwrap(),
        []
    );

    let stored = chunk(Uuid::new_v4(), 1, 0, [0.0, 2.0, 0.0, 0.0]);
    store.upsert_chunks(tenant, &[stored]).await.unwrap();
    let hits = store
        .query(tenant, &[0.0, 1.0, 0.0, 0.0], 5, -1.0)
        .await
        .unwrap();
    assert!((hits[0].score - 1.0).abs() < 1e-4, "cosine space: {hits:?}");
    store.drop_collection(tenant).await.unwrap();
}
