//! Failures: Ollama failing retries with growing delays and then fails the content with the
//! reason; ChromaDB unreachable is retried like any other failure.

use std::time::Duration;

use crate::support::{
    content, db, double, new_creator, scalar, serial, vectors, work_once_on, work_until_settled,
    worker,
};
use coachai_ai_engine::ollama::OllamaClient;
use coachai_ai_engine::vectors::VectorStore;
use coachai_ai_engine::worker::{Outcome, Worker, WorkerOptions};
use coachai_ingestion::RetryPolicy;
use coachai_ollama_double::{Endpoint, Fault, FaultRule};

#[tokio::test]
async fn an_embedder_that_keeps_failing_is_retried_with_growing_delays_then_the_content_fails() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let worker = worker(&db, &double, vectors());
    let creator = new_creator(&db).await;
    let (item, job) = content(&db, creator, &["Hold the plank for thirty seconds."]).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query("UPDATE ingestion_jobs SET max_attempts = 3 WHERE id = $1")
        .bind(job.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    double.inject(FaultRule::new(Fault::Status500).on(Endpoint::Embed));

    let outcomes: Vec<Outcome> = work_until_settled(&worker, creator, job)
        .await
        .into_iter()
        .map(|h| h.outcome)
        .collect();

    let [
        Outcome::Retrying(first),
        Outcome::Retrying(second),
        Outcome::GaveUp,
    ] = outcomes[..]
    else {
        panic!("two retries, then failed: {outcomes:?}");
    };
    assert!(second >= first, "{first:?} then {second:?}");
    let (status, reason): (String, Option<String>) = {
        let mut tx = db.begin_for(creator).await.unwrap();
        sqlx::query_as("SELECT status, failure_reason FROM content_items WHERE id = $1")
            .bind(item)
            .fetch_one(tx.conn())
            .await
            .unwrap()
    };
    assert_eq!(status, "failed");
    assert!(
        reason.as_deref().unwrap_or("").contains("Ollama"),
        "{reason:?}"
    );
}

#[tokio::test]
async fn chromadb_unreachable_is_a_retry_and_nothing_is_marked_processed() {
    let _serial = serial().await;
    let db = db().await;
    let double = double().await;
    let closed = VectorStore::new("http://127.0.0.1:9")
        .unwrap()
        .with_timeout(Duration::from_secs(1));
    let ollama = OllamaClient::new(&double.url(), Duration::from_secs(5)).unwrap();
    let options = WorkerOptions {
        retry: RetryPolicy {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(30),
        },
        ..WorkerOptions::default()
    };
    let worker = Worker::new(db.clone(), ollama, closed, options);
    let creator = new_creator(&db).await;
    let (item, job) = content(&db, creator, &["Stretch your calves after running."]).await;

    let handled = work_once_on(&worker, creator, job).await;
    assert!(
        matches!(handled.outcome, Outcome::Retrying(_)),
        "{handled:?}"
    );

    let processed: i64 = scalar(
        &db,
        creator,
        "SELECT count(embedding_id) FROM content_chunks WHERE content_id = $1",
        item,
    )
    .await;
    assert_eq!(processed, 0);
}
