//! Deleting content keeps its `delete` job (the vectors still have to go) and drops its embed
//! jobs; the delete job is claimed and completed with no content row left.

use std::time::Duration;

use coachai_ingestion::{JobKind, complete, enqueue};

use crate::support::{claim_job, content_with_jobs, db, job_row, new_creator, serial};

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
