//! Exactly-once completion: many concurrent workers, and a worker that dies holding a lease.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coachai_common::tenancy::Db;
use coachai_ingestion::{Claim, JobId, QueueError, claim, complete, heartbeat};

use crate::support::{
    claim_job, content_row, content_with_jobs, db, finish_foreign, job_row, new_creator, serial,
};

/// What the workers saw: completions per job, jobs held right now, and double holds.
#[derive(Default)]
struct Ledger {
    completions: HashMap<JobId, u32>,
    held: HashSet<JobId>,
    double_holds: u32,
}

async fn worker(db: Db, ours: Arc<HashSet<JobId>>, ledger: Arc<Mutex<Ledger>>) {
    loop {
        let Some(job) = claim(&db, Duration::from_secs(30)).await.unwrap() else {
            if ledger.lock().unwrap().completions.len() == ours.len() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        if !ours.contains(&job.job_id()) {
            finish_foreign(&db, &job).await;
            continue;
        }
        run_once(&db, &job, &ledger).await;
    }
}

async fn run_once(db: &Db, job: &Claim, ledger: &Mutex<Ledger>) {
    if !ledger.lock().unwrap().held.insert(job.job_id()) {
        ledger.lock().unwrap().double_holds += 1;
    }
    let mut tx = db.begin_for(job.creator()).await.unwrap();
    complete(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    let mut ledger = ledger.lock().unwrap();
    ledger.held.remove(&job.job_id());
    *ledger.completions.entry(job.job_id()).or_default() += 1;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_jobs_on_eight_workers_each_complete_exactly_once() {
    let _serial = serial().await;
    let db = db().await;
    let (a, b) = (new_creator(&db).await, new_creator(&db).await);
    let jobs_a = content_with_jobs(&db, a, 500).await;
    let jobs_b = content_with_jobs(&db, b, 500).await;
    let ours: Arc<HashSet<JobId>> = Arc::new(jobs_a.iter().chain(&jobs_b).map(|j| j.1).collect());
    assert_eq!(ours.len(), 1000);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let workers: Vec<_> = (0..8)
        .map(|_| tokio::spawn(worker(db.clone(), ours.clone(), ledger.clone())))
        .collect();
    let all = join_workers(workers);
    tokio::time::timeout(Duration::from_secs(120), all)
        .await
        .expect("8 workers finish 1,000 jobs within 2 minutes");
    let Ledger {
        completions,
        double_holds,
        ..
    } = std::mem::take(&mut *ledger.lock().unwrap());
    assert_eq!(double_holds, 0, "a job was held by two workers at once");
    assert_eq!(completions.len(), 1000);
    assert!(
        completions.values().all(|&n| n == 1),
        "a job completed twice"
    );
    for (creator, jobs) in [(a, &jobs_a), (b, &jobs_b)] {
        let mut tx = db.begin_for(creator).await.unwrap();
        let (succeeded, ready): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM ingestion_jobs WHERE status = 'succeeded' AND attempts = 1),
                    (SELECT count(*) FROM content_items WHERE status = 'ready')",
        )
        .fetch_one(tx.conn())
        .await
        .unwrap();
        assert_eq!((succeeded, ready), (jobs.len() as i64, jobs.len() as i64));
    }
}

async fn join_workers(handles: Vec<tokio::task::JoinHandle<()>>) {
    for handle in handles {
        handle.await.expect("a worker panicked");
    }
}

#[tokio::test]
async fn a_killed_workers_job_is_claimed_again_after_its_lease_and_completes_once() {
    let _serial = serial().await;
    let db = db().await;
    let creator = new_creator(&db).await;
    let (content, job) = content_with_jobs(&db, creator, 1).await[0];
    let lease = Duration::from_millis(300);
    let started = Instant::now();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let doomed = tokio::spawn({
        let db = db.clone();
        async move {
            let claim = claim_job(&db, job, lease).await;
            sender.send(claim).unwrap();
            std::future::pending::<()>().await;
        }
    });
    let stale = receiver.await.unwrap();
    doomed.abort();
    assert!(doomed.await.unwrap_err().is_cancelled());

    let fresh = claim_job(&db, job, Duration::from_secs(30)).await;
    assert!(
        started.elapsed() >= lease,
        "claimed again before the lease expired"
    );
    assert_eq!((stale.attempt(), fresh.attempt()), (1, 2));
    assert_ne!(stale.lease_token(), fresh.lease_token());

    let mut tx = db.begin_for(creator).await.unwrap();
    let err = complete(&mut tx, &stale).await.unwrap_err();
    assert!(
        matches!(err, QueueError::LeaseLost { job: j } if j == job),
        "{err}"
    );
    tx.commit().await.unwrap();
    let err = heartbeat(&db, &stale, lease).await.unwrap_err();
    assert!(matches!(err, QueueError::LeaseLost { .. }), "{err}");
    assert_eq!(
        job_row(&db, creator, job).await,
        ("running".to_owned(), 2, Some(fresh.lease_token())),
        "the stale worker changed the job"
    );
    assert_eq!(content_row(&db, creator, content).await.0, "pending");

    heartbeat(&db, &fresh, Duration::from_secs(60))
        .await
        .unwrap();
    let mut tx = db.begin_for(creator).await.unwrap();
    complete(&mut tx, &fresh).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        job_row(&db, creator, job).await,
        ("succeeded".to_owned(), 2, None)
    );
    assert_eq!(
        content_row(&db, creator, content).await,
        ("ready".to_owned(), None)
    );

    let mut tx = db.begin_for(creator).await.unwrap();
    let again = complete(&mut tx, &fresh).await.unwrap_err();
    assert!(
        matches!(again, QueueError::LeaseLost { .. }),
        "completed twice: {again}"
    );
}
