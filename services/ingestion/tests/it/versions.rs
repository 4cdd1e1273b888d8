//! Versions: completing the embed job of a pending version swaps it in; a newer version
//! supersedes the job of the one it replaces.

use std::time::Duration;

use coachai_common::tenancy::{CreatorId, Db};
use coachai_ingestion::{
    FailOutcome, JobId, QueueError, RetryPolicy, SUPERSEDED, chunk_version, complete,
    enqueue_version, fail,
};
use uuid::Uuid;

use crate::support::{claim_job, content_row, content_with_jobs, db, job_row, new_creator, serial};

const LEASE: Duration = Duration::from_secs(30);

/// Writes a chunk of `version` saying `text` and makes `version` pending with its embed job,
/// as the Hub does for a new body.
async fn pend(db: &Db, creator: CreatorId, content: Uuid, version: i32, text: &str) -> JobId {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query(
        "INSERT INTO content_chunks (creator_id, content_id, version, chunk_index, body)
         VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(creator.0)
    .bind(content)
    .bind(version)
    .bind(text)
    .execute(tx.conn())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE content_items SET pending_version = $2, pending_kind = 'markdown',
                pending_mime_type = 'text/markdown', pending_size_bytes = 7,
                pending_sha256 = '\\x00'
          WHERE id = $1",
    )
    .bind(content)
    .bind(version)
    .execute(tx.conn())
    .await
    .unwrap();
    let job = enqueue_version(&mut tx, content, version).await.unwrap();
    tx.commit().await.unwrap();
    job
}

/// The live version, the pending one, the kind and the chunk texts with their versions.
async fn versions(
    db: &Db,
    creator: CreatorId,
    content: Uuid,
) -> (i32, Option<i32>, String, Vec<(i32, String)>) {
    let mut tx = db.begin_for(creator).await.unwrap();
    let (live, pending, kind): (i32, Option<i32>, String) =
        sqlx::query_as("SELECT version, pending_version, kind FROM content_items WHERE id = $1")
            .bind(content)
            .fetch_one(tx.conn())
            .await
            .unwrap();
    let chunks = sqlx::query_as(
        "SELECT version, body FROM content_chunks WHERE content_id = $1 ORDER BY version",
    )
    .bind(content)
    .fetch_all(tx.conn())
    .await
    .unwrap();
    (live, pending, kind, chunks)
}

/// How many `delete` jobs (sweeps of vectors whose chunks are gone) wait for `content`.
async fn queued_sweeps(db: &Db, creator: CreatorId, content: Uuid) -> i64 {
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM ingestion_jobs
          WHERE content_id = $1 AND kind = 'delete' AND status = 'queued'",
    )
    .bind(content)
    .fetch_one(tx.conn())
    .await
    .unwrap()
}

/// Claims `job` and completes it after checking it embeds the chunks of `version`.
async fn complete_job(db: &Db, job: JobId, version: i32) -> Result<(), QueueError> {
    let claim = claim_job(db, job, LEASE).await;
    let mut tx = db.begin_for(claim.creator()).await.unwrap();
    assert_eq!(chunk_version(&mut tx, &claim).await?, version);
    complete(&mut tx, &claim).await?;
    tx.commit().await.unwrap();
    Ok(())
}

#[tokio::test]
async fn completing_a_pending_versions_job_swaps_it_in_and_deletes_the_old_chunks() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let [(content, first)] = content_with_jobs(&db, creator, 1).await[..] else {
        panic!("one item was created");
    };
    complete_job(&db, first, 1).await.unwrap();
    let second = pend(&db, creator, content, 2, "second body").await;
    assert_eq!(queued_sweeps(&db, creator, content).await, 0);
    let (live, pending, _, _) = versions(&db, creator, content).await;
    assert_eq!(
        (live, pending),
        (1, Some(2)),
        "the first version stays live until the swap"
    );

    complete_job(&db, second, 2).await.unwrap();

    let (live, pending, kind, chunks) = versions(&db, creator, content).await;
    assert_eq!((live, pending, kind.as_str()), (2, None, "markdown"));
    assert_eq!(chunks, [(2, "second body".to_owned())]);
    assert_eq!(content_row(&db, creator, content).await.0, "ready");
    assert_eq!(
        queued_sweeps(&db, creator, content).await,
        1,
        "the vectors of version 1 are swept"
    );
}

#[tokio::test]
async fn a_newer_version_supersedes_the_pending_ones_job_which_then_changes_nothing() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let [(content, first)] = content_with_jobs(&db, creator, 1).await[..] else {
        panic!("one item was created");
    };
    complete_job(&db, first, 1).await.unwrap();
    let second = pend(&db, creator, content, 2, "second body").await;
    let second_claim = claim_job(&db, second, LEASE).await;
    let third = pend(&db, creator, content, 3, "third body").await;

    let (status, _, _) = job_row(&db, creator, second).await;
    assert_eq!(status, "failed");
    assert_eq!(
        queued_sweeps(&db, creator, content).await,
        1,
        "whatever version 2 embedded is swept"
    );
    let mut tx = db.begin_for(creator).await.unwrap();
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM ingestion_jobs WHERE id = $1")
            .bind(second.0)
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(error.as_deref(), Some(SUPERSEDED));
    let stale = complete(&mut tx, &second_claim).await;
    assert!(
        matches!(stale, Err(QueueError::LeaseLost { .. })),
        "{stale:?}"
    );
    drop(tx);

    complete_job(&db, third, 3).await.unwrap();
    let (live, pending, _, chunks) = versions(&db, creator, content).await;
    assert_eq!((live, pending), (3, None));
    assert_eq!(chunks, [(3, "third body".to_owned())]);
    assert_eq!(
        queued_sweeps(&db, creator, content).await,
        1,
        "one waiting sweep covers both replaced versions"
    );
}

#[tokio::test]
async fn a_pending_version_that_fails_for_good_is_dropped_and_the_live_one_stays_ready() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let [(content, first)] = content_with_jobs(&db, creator, 1).await[..] else {
        panic!("one item was created");
    };
    complete_job(&db, first, 1).await.unwrap();
    let second = pend(&db, creator, content, 2, "second body").await;
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("UPDATE ingestion_jobs SET max_attempts = 1 WHERE id = $1")
        .bind(second.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let claim = claim_job(&db, second, LEASE).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    let outcome = fail(
        &mut tx,
        &claim,
        "the embedder is down",
        &RetryPolicy::default(),
    )
    .await;
    tx.commit().await.unwrap();

    assert_eq!(outcome.unwrap(), FailOutcome::GaveUp);
    let (live, pending, kind, chunks) = versions(&db, creator, content).await;
    assert_eq!((live, pending, kind.as_str()), (1, None, "note"));
    assert!(chunks.iter().all(|c| c.0 == 1), "{chunks:?}");
    let (status, reason) = content_row(&db, creator, content).await;
    assert_eq!(status, "ready", "answers keep the live version");
    assert_eq!(queued_sweeps(&db, creator, content).await, 1);
    let reason = reason.unwrap();
    assert!(
        reason.contains("version 2") && reason.contains("the embedder is down"),
        "{reason}"
    );
}
