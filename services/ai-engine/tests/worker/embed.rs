//! Embedding, versions, deletion and tenancy.

use std::collections::HashSet;

use coachai_ai_engine::worker::Outcome;
use coachai_common::tenancy::CreatorId;
use coachai_ingestion::JobKind;
use coachai_ollama_double::{Endpoint, embed};
use serde_json::json;
use uuid::Uuid;

use crate::support::{
    MODEL, content, db, double, insert_chunks, new_creator, scalar, serial, vectors,
    work_until_settled, worker,
};

const TEXTS: [&str; 5] = [
    "Warm up with five minutes of brisk walking.",
    "Exhale at the top of every kettlebell swing.",
    "Keep your back flat when you hinge at the hips.",
    "Sleep eight hours before a heavy training day.",
    "Drink water between rounds of intervals.",
];

async fn stored(creator: CreatorId, content: Uuid) -> HashSet<Uuid> {
    vectors()
        .chunk_ids(creator, content)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

async fn chunk_ids(creator: CreatorId, content: Uuid, version: i32) -> HashSet<Uuid> {
    let db = db().await;
    let mut tx = db.begin_for(creator).await.unwrap();
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM content_chunks WHERE content_id = $1 AND version = $2")
            .bind(content)
            .bind(version)
            .fetch_all(tx.conn())
            .await
            .unwrap();
    ids.into_iter().collect()
}

#[tokio::test]
async fn an_embed_job_stores_every_chunk_in_batches_and_the_content_becomes_ready() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let worker = worker(&db, &double, vectors());
    let creator = new_creator(&db).await;
    let (item, job) = content(&db, creator, &TEXTS).await;

    let outcomes = work_until_settled(&worker, creator, job).await;

    assert_eq!(outcomes.last().unwrap().outcome, Outcome::Completed);
    let status: String = scalar(
        &db,
        creator,
        "SELECT status FROM content_items WHERE id = $1",
        item,
    )
    .await;
    assert_eq!(status, "ready");
    let processed: i64 = scalar(
        &db,
        creator,
        "SELECT count(embedding_id) FROM content_chunks WHERE content_id = $1",
        item,
    )
    .await;
    assert_eq!(processed, 5, "every chunk counts as processed");
    let batches: Vec<serde_json::Value> = double
        .requests_to(Endpoint::Embed)
        .into_iter()
        .filter(|r| r.body["model"] == MODEL)
        .map(|r| r.body["input"].clone())
        .filter(|input| TEXTS.iter().any(|t| input.to_string().contains(t)))
        .collect();
    assert_eq!(
        batches,
        [
            json!([TEXTS[0], TEXTS[1]]),
            json!([TEXTS[2], TEXTS[3]]),
            json!([TEXTS[4]])
        ],
        "five chunks in batches of two, with the creator's model"
    );
    assert_eq!(
        stored(creator, item).await,
        chunk_ids(creator, item, 1).await
    );

    let query = embed("how should I breathe during a kettlebell swing", 384);
    let hits = vectors().query(creator, &query, 1, 0.0).await.unwrap();
    assert_eq!(hits[0].content_id, item);
    assert_eq!(hits[0].location, json!({"page": 2}));
}

#[tokio::test]
async fn a_new_version_goes_live_and_the_sweep_removes_the_old_versions_vectors() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let worker = worker(&db, &double, vectors());
    let creator = new_creator(&db).await;
    let (item, first) = content(&db, creator, &TEXTS[..2]).await;
    work_until_settled(&worker, creator, first).await;
    let old = chunk_ids(creator, item, 1).await;
    assert_eq!(stored(creator, item).await, old);

    let mut tx = db.begin_for(creator).await.unwrap();
    insert_chunks(&mut tx, item, 2, &TEXTS[2..]).await;
    sqlx::query(
        "UPDATE content_items SET pending_version = 2, pending_kind = 'text',
                pending_mime_type = 'text/plain', pending_size_bytes = 10, pending_sha256 = '\\x00'
          WHERE id = $1",
    )
    .bind(item)
    .execute(tx.conn())
    .await
    .unwrap();
    let second = coachai_ingestion::enqueue_version(&mut tx, item, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        work_until_settled(&worker, creator, second)
            .await
            .last()
            .unwrap()
            .outcome,
        Outcome::Completed
    );
    let sweep = sweep_job(creator, item).await;
    assert_eq!(
        work_until_settled(&worker, creator, sweep)
            .await
            .last()
            .unwrap()
            .outcome,
        Outcome::Completed
    );

    let new = chunk_ids(creator, item, 2).await;
    assert_eq!(new.len(), 3);
    assert_eq!(
        stored(creator, item).await,
        new,
        "only version 2's vectors are left"
    );
}

async fn sweep_job(creator: CreatorId, item: Uuid) -> coachai_ingestion::JobId {
    let db = db().await;
    let id: Uuid = scalar(
        &db,
        creator,
        "SELECT id FROM ingestion_jobs WHERE content_id = $1 AND kind = 'delete' AND status = 'queued'",
        item,
    )
    .await;
    coachai_ingestion::JobId(id)
}

#[tokio::test]
async fn deleting_content_removes_its_vectors_and_leaves_the_creators_other_content() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let worker = worker(&db, &double, vectors());
    let creator = new_creator(&db).await;
    let (gone, first) = content(&db, creator, &TEXTS[..2]).await;
    let (kept, second) = content(&db, creator, &TEXTS[2..]).await;
    work_until_settled(&worker, creator, first).await;
    work_until_settled(&worker, creator, second).await;

    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("DELETE FROM content_items WHERE id = $1")
        .bind(gone)
        .execute(tx.conn())
        .await
        .unwrap();
    let deletion = coachai_ingestion::enqueue(&mut tx, gone, JobKind::Delete)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    work_until_settled(&worker, creator, deletion).await;

    assert!(stored(creator, gone).await.is_empty());
    assert_eq!(stored(creator, kept).await.len(), 3);
}

#[tokio::test]
async fn two_creators_jobs_fill_two_collections_that_never_share_a_vector() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let worker = worker(&db, &double, vectors());
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    let (a_item, a_job) = content(&db, a, &TEXTS[..3]).await;
    let (b_item, b_job) = content(&db, b, &TEXTS[..3]).await;
    work_until_settled(&worker, a, a_job).await;
    work_until_settled(&worker, b, b_job).await;

    let query = embed(TEXTS[1], 384);
    let a_hits = vectors().query(a, &query, 10, 0.0).await.unwrap();
    let b_hits = vectors().query(b, &query, 10, 0.0).await.unwrap();
    assert!(a_hits.iter().all(|h| h.content_id == a_item), "{a_hits:?}");
    assert!(b_hits.iter().all(|h| h.content_id == b_item), "{b_hits:?}");
    assert_eq!((a_hits.len(), b_hits.len()), (3, 3));
}
