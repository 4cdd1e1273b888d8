//! A failing step: retries back off with growing delays, then the job and its content fail.

use std::time::{Duration, Instant};

use coachai_ingestion::{FailOutcome, LEASES_EXHAUSTED, RetryPolicy, claim, fail};

use crate::support::{
    claim_job, content_row, content_with_jobs, db, finish_foreign, job_row, new_creator, serial,
};

#[tokio::test]
async fn a_failing_step_is_retried_with_growing_delays_then_fails_its_content_with_the_reason() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (content, job) = content_with_jobs(&db, creator, 1).await[0];
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("UPDATE ingestion_jobs SET max_attempts = 4 WHERE id = $1")
        .bind(job.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let policy = RetryPolicy {
        base: Duration::from_millis(80),
        cap: Duration::from_secs(5),
    };
    let reason = "embedding model answered 500 Internal Server Error";

    let (mut outcomes, mut gaps_ms) = (Vec::new(), Vec::new());
    let mut due_at: Option<f64> = None;
    for attempt in 1..=4u32 {
        let claim = claim_job(&db, job, Duration::from_secs(30)).await;
        assert_eq!(claim.attempt(), attempt);
        let mut tx = db.begin_for(creator).await.unwrap();
        let now: f64 = sqlx::query_scalar("SELECT extract(epoch FROM now())::float8")
            .fetch_one(tx.conn())
            .await
            .unwrap();
        if let Some(due_at) = due_at {
            assert!(
                now >= due_at,
                "attempt {attempt} ran before its backoff ended"
            );
        }
        outcomes.push(fail(&mut tx, &claim, reason, &policy).await.unwrap());
        let (gap, next): (f64, f64) = sqlx::query_as(
            "SELECT extract(epoch FROM next_run_at - updated_at)::float8 * 1000,
                    extract(epoch FROM next_run_at)::float8
               FROM ingestion_jobs WHERE id = $1",
        )
        .bind(job.0)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        tx.commit().await.unwrap();
        gaps_ms.push(gap);
        due_at = Some(next);
    }

    assert!(
        matches!(
            outcomes[..3],
            [
                FailOutcome::Retrying { .. },
                FailOutcome::Retrying { .. },
                FailOutcome::Retrying { .. }
            ]
        ),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[3], FailOutcome::GaveUp);
    let retry_gaps = &gaps_ms[..3];
    assert!(
        retry_gaps.windows(2).all(|w| w[0] < w[1]),
        "delays between attempts must grow: {retry_gaps:?} ms"
    );
    assert!(
        retry_gaps[0] >= 40.0 && retry_gaps[2] <= 320.0,
        "{retry_gaps:?}"
    );

    let (status, attempts, token) = job_row(&db, creator, job).await;
    assert_eq!((status.as_str(), attempts, token), ("failed", 4, None));
    assert_eq!(
        content_row(&db, creator, content).await,
        ("failed".to_owned(), Some(reason.to_owned()))
    );
}

#[tokio::test]
async fn a_job_whose_workers_die_on_every_attempt_fails_its_content_after_the_last() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (content, job) = content_with_jobs(&db, creator, 1).await[0];
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("UPDATE ingestion_jobs SET max_attempts = 2 WHERE id = $1")
        .bind(job.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let lease = Duration::from_millis(50);
    for attempt in 1..=2 {
        let abandoned = claim_job(&db, job, lease).await;
        assert_eq!(abandoned.attempt(), attempt);
    }

    let deadline = Instant::now() + Duration::from_secs(10);
    while job_row(&db, creator, job).await.0 != "failed" {
        assert!(Instant::now() < deadline, "the exhausted job never failed");
        match claim(&db, lease).await.unwrap() {
            Some(other) if other.job_id() == job => panic!("claimed past max_attempts: {other:?}"),
            Some(other) => finish_foreign(&db, &other).await,
            None => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    assert_eq!(
        job_row(&db, creator, job).await,
        ("failed".to_owned(), 3, None)
    );
    assert_eq!(
        content_row(&db, creator, content).await,
        ("failed".to_owned(), Some(LEASES_EXHAUSTED.to_owned()))
    );
}
