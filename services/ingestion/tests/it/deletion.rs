//! Deleting content keeps its `delete` job (the vectors still have to go) and drops its embed
//! jobs; the delete job is claimed and completed with no content row left.

use std::time::Duration;

use coachai_ingestion::{FailOutcome, JobKind, RetryPolicy, complete, enqueue, fail};

use crate::support::{claim_job, content_row, content_with_jobs, db, job_row, new_creator, serial};

#[tokio::test]
async fn a_delete_job_outlives_its_content_and_completes_once() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (content, embed) = content_with_jobs(&db, creator, 1).await[0];

    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("DELETE FROM content_items WHERE id = $1")
        .bind(content)
        .execute(tx.conn())
        .await
        .unwrap();
    let deletion = enqueue(&mut tx, content, JobKind::Delete).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.begin_for(creator).await.unwrap();
    let embeds: i64 = sqlx::query_scalar("SELECT count(*) FROM ingestion_jobs WHERE id = $1")
        .bind(embed.0)
        .fetch_one(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(embeds, 0, "the embed job went with its content");

    let claim = claim_job(&db, deletion, Duration::from_secs(30)).await;
    assert_eq!(
        (claim.kind(), claim.content_id()),
        (JobKind::Delete, content)
    );
    let mut tx = db.begin_for(creator).await.unwrap();
    complete(&mut tx, &claim).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(job_row(&db, creator, deletion).await.0, "succeeded");
}

#[tokio::test]
async fn a_delete_job_that_gives_up_leaves_its_live_content_as_it_was() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (content, embed) = content_with_jobs(&db, creator, 1).await[0];
    let claim = claim_job(&db, embed, Duration::from_secs(30)).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    complete(&mut tx, &claim).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        content_row(&db, creator, content).await,
        ("ready".to_owned(), None)
    );

    let mut tx = db.begin_for(creator).await.unwrap();
    let sweep = enqueue(&mut tx, content, JobKind::Delete).await.unwrap();
    sqlx::query("UPDATE ingestion_jobs SET max_attempts = 1 WHERE id = $1")
        .bind(sweep.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let claim = claim_job(&db, sweep, Duration::from_secs(30)).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    let outcome = fail(&mut tx, &claim, "ChromaDB refused", &RetryPolicy::default()).await;
    tx.commit().await.unwrap();

    assert_eq!(outcome.unwrap(), FailOutcome::GaveUp);
    assert_eq!(job_row(&db, creator, sweep).await.0, "failed");
    assert_eq!(
        content_row(&db, creator, content).await,
        ("ready".to_owned(), None),
        "a failed sweep of vectors does not fail the content"
    );
}
