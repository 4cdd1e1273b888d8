//! A creator's library as the Creator Hub writes it (content, chunks of version 1 with their
//! locations, the embed job, in one transaction) and embedded by the engine's worker.

use std::time::{Duration, Instant};

use coachai_ai_engine::worker::{Outcome, Worker};
use coachai_common::tenancy::{CreatorId, Db};
use coachai_ingestion::{JobId, JobKind};
use serde_json::Value;
use uuid::Uuid;

/// Sets the creator's chat and embedding models.
pub async fn set_models(db: &Db, creator: CreatorId, chat: &str, embedding: &str) {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("UPDATE creators SET chat_model = $2, embedding_model = $3 WHERE id = $1")
        .bind(creator.0)
        .bind(chat)
        .bind(embedding)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Writes a content item titled `title` whose chunks are `chunks` (text and location), with its
/// embed job; returns the item and the job.
pub async fn add_content(
    db: &Db,
    creator: CreatorId,
    title: &str,
    chunks: &[(&str, Value)],
) -> (Uuid, JobId) {
    let mut tx = db.begin_for(creator).await.unwrap();
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO content_items (creator_id, title, kind, size_bytes)
         VALUES ($1, $2, 'text', 100) RETURNING id",
    )
    .bind(creator.0)
    .bind(title)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    for (i, (text, location)) in chunks.iter().enumerate() {
        sqlx::query(
            "INSERT INTO content_chunks (creator_id, content_id, chunk_index, body, location)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(creator.0)
        .bind(id)
        .bind(i32::try_from(i).unwrap())
        .bind(*text)
        .bind(location)
        .execute(tx.conn())
        .await
        .unwrap();
    }
    let job = coachai_ingestion::enqueue(&mut tx, id, JobKind::Embed)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (id, job)
}

/// Runs `worker` until `creator`'s `job` is completed (made due first on every turn, since the
/// shared queue may hold other tests' jobs; another test's worker may complete it too).
pub async fn embed(worker: &Worker, db: &Db, creator: CreatorId, job: JobId) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "job {job} was never completed");
        prioritise(db, creator, job).await;
        match worker.run_once().await.unwrap() {
            Some(handled) if handled.job == job => {
                assert_eq!(handled.outcome, Outcome::Completed, "{handled:?}");
                return;
            }
            Some(_) => {}
            None => tokio::time::sleep(Duration::from_millis(10)).await,
        }
        if status(db, creator, job).await == "succeeded" {
            return;
        }
    }
}

/// Makes `creator`'s `job` due before every other job (the shared queue may hold many), unless
/// it is running.
pub async fn prioritise(db: &Db, creator: CreatorId, job: JobId) {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query(
        "UPDATE ingestion_jobs SET next_run_at = now() - interval '100 years'
          WHERE id = $1 AND status = 'queued'",
    )
    .bind(job.0)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn status(db: &Db, creator: CreatorId, job: JobId) -> String {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query_scalar("SELECT status FROM ingestion_jobs WHERE id = $1")
        .bind(job.0)
        .fetch_one(tx.conn())
        .await
        .unwrap()
}
