//! Shared fixtures: a migrated database, fresh creators with content, and claim helpers.

use std::time::{Duration, Instant};

use coachai_common::tenancy::{CreatorId, Db};
use coachai_ingestion::{Claim, JobId, JobKind, QueueError};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

static SERIAL: Mutex<()> = Mutex::const_new(());

/// Held by every test that claims, so only one of them takes jobs at a time.
pub async fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// The app-role database (`DATABASE_URL`), migrated once per test binary.
pub async fn db() -> Db {
    crate::test_db::app_db(12).await
}

/// Creates a creator (tenant) with a random slug.
pub async fn new_creator(db: &Db) -> CreatorId {
    let creator = CreatorId(Uuid::new_v4());
    let mut tx = db.begin_for(creator).await.unwrap();
    let slug = format!("q-{}", &creator.0.simple().to_string()[..12]);
    sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, 'Queue test')")
        .bind(creator.0)
        .bind(slug)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    creator
}

/// Inserts `n` pending content items and one embed job for each, in one tenant transaction.
pub async fn content_with_jobs(db: &Db, creator: CreatorId, n: i32) -> Vec<(Uuid, JobId)> {
    let mut tx = db.begin_for(creator).await.unwrap();
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO content_items (creator_id, title, kind)
         SELECT $1, 'Notes ' || i, 'note' FROM generate_series(1, $2) AS i RETURNING id",
    )
    .bind(creator.0)
    .bind(n)
    .fetch_all(tx.conn())
    .await
    .unwrap();
    let mut out = Vec::with_capacity(ids.len());
    for content in ids {
        let job = coachai_ingestion::enqueue(&mut tx, content, JobKind::Embed)
            .await
            .unwrap();
        out.push((content, job));
    }
    tx.commit().await.unwrap();
    out
}

/// Completes a job some other test (or an earlier run) left due, so it stops being claimed.
pub async fn finish_foreign(db: &Db, claim: &Claim) {
    let mut tx = db.begin_for(claim.creator()).await.unwrap();
    match coachai_ingestion::complete(&mut tx, claim).await {
        Ok(()) => tx.commit().await.unwrap(),
        Err(QueueError::LeaseLost { .. }) => {}
        Err(other) => panic!("finishing a leftover job failed: {other}"),
    }
}

/// Claims until `job` comes up (finishing leftovers of other tests), for at most 20 s.
pub async fn claim_job(db: &Db, job: JobId, lease: Duration) -> Claim {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "job {job} was never claimed");
        match coachai_ingestion::claim(db, lease).await.unwrap() {
            Some(claim) if claim.job_id() == job => return claim,
            Some(other) => finish_foreign(db, &other).await,
            None => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The job's status, attempts and lease token, read in its creator's transaction.
pub async fn job_row(db: &Db, creator: CreatorId, job: JobId) -> (String, i32, Option<Uuid>) {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query_as("SELECT status, attempts, lease_token FROM ingestion_jobs WHERE id = $1")
        .bind(job.0)
        .fetch_one(tx.conn())
        .await
        .unwrap()
}

/// The content's status and failure reason, read in its creator's transaction.
pub async fn content_row(db: &Db, creator: CreatorId, id: Uuid) -> (String, Option<String>) {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query_as("SELECT status, failure_reason FROM content_items WHERE id = $1")
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .unwrap()
}
