//! Fixtures of the worker tests: a migrated database, creators with content, chunks and jobs
//! written as the Hub writes them, the Ollama double, the real ChromaDB, and a worker.

use std::time::{Duration, Instant};

use coachai_ai_engine::ollama::OllamaClient;
use coachai_ai_engine::vectors::VectorStore;
use coachai_ai_engine::worker::{Handled, Worker, WorkerOptions};
use coachai_common::tenancy::{CreatorId, Db};
use coachai_ingestion::{JobId, RetryPolicy};
use coachai_ollama_double::{Config, Model, OllamaDouble};
use serde_json::{Value, json};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use crate::library::{self, prioritise};

static SERIAL: Mutex<()> = Mutex::const_new(());

/// The embedding model the test creators use (one the double serves).
pub const MODEL: &str = "all-minilm";

/// Held by every test that runs a worker: the queue is shared, one worker claims at a time.
pub async fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// The app-role database (`DATABASE_URL`), migrated once per test binary.
pub async fn db() -> Db {
    crate::test_db::app_db(8).await
}

/// The real ChromaDB of the local stack (`CHROMA_URL`).
pub fn vectors() -> VectorStore {
    let url = crate::test_db::env_or("CHROMA_URL", "http://127.0.0.1:58000");
    VectorStore::new(&url).expect("CHROMA_URL is a URL")
}

/// The Ollama double, serving the test model and the platform's default embedding model (so
/// jobs other tests left in the shared queue complete instead of failing).
pub async fn double() -> OllamaDouble {
    let double = OllamaDouble::start(Config::default())
        .await
        .expect("the Ollama double starts");
    double.add_model(Model::embedding("nomic-embed-text"));
    double
}

/// A worker over `double` and the real ChromaDB, with small batches and fast retries.
pub fn worker(db: &Db, double: &OllamaDouble, vectors: VectorStore) -> Worker {
    let ollama = OllamaClient::new(&double.url(), Duration::from_secs(5)).unwrap();
    let options = WorkerOptions {
        lease: Duration::from_secs(10),
        batch: 2,
        idle: Duration::from_millis(10),
        retry: RetryPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_secs(1),
        },
    };
    Worker::new(db.clone(), ollama, vectors, options)
}

/// Creates a creator whose embedding model is [`MODEL`].
pub async fn new_creator(db: &Db) -> CreatorId {
    let creator = CreatorId(Uuid::new_v4());
    let mut tx = db.begin_for(creator).await.unwrap();
    let slug = format!("w-{}", &creator.0.simple().to_string()[..12]);
    sqlx::query(
        "INSERT INTO creators (id, slug, display_name, embedding_model)
         VALUES ($1, $2, 'Worker test', $3)",
    )
    .bind(creator.0)
    .bind(slug)
    .bind(MODEL)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    creator
}

/// A pending content item titled "Guide" with one chunk per text (version 1, located on page
/// `i + 1`) and its embed job, in one transaction as the Hub writes them.
pub async fn content(db: &Db, creator: CreatorId, texts: &[&str]) -> (Uuid, JobId) {
    let chunks: Vec<(&str, Value)> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| (*text, json!({"page": i + 1})))
        .collect();
    library::add_content(db, creator, "Guide", &chunks).await
}

/// Writes one chunk per text as `version` of `content`, located on page `i + 1`.
pub async fn insert_chunks(
    tx: &mut coachai_common::tenancy::TenantTx,
    content: Uuid,
    version: i32,
    texts: &[&str],
) {
    for (i, text) in texts.iter().enumerate() {
        sqlx::query(
            "INSERT INTO content_chunks (creator_id, content_id, version, chunk_index, body, location)
             VALUES ($1, $2, $3, $4, $5, jsonb_build_object('page', $4 + 1))",
        )
        .bind(tx.creator().0)
        .bind(content)
        .bind(version)
        .bind(i as i32)
        .bind(*text)
        .execute(tx.conn())
        .await
        .unwrap();
    }
}

/// Runs `worker` until it has handled `creator`'s `job` and returns every outcome of that job,
/// in order (a retried job is handled several times, each retry made due at once).
pub async fn work_until_settled(worker: &Worker, creator: CreatorId, job: JobId) -> Vec<Handled> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let db = db().await;
    let mut seen = Vec::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "job {job} never settled: {seen:?}"
        );
        prioritise(&db, creator, job).await;
        match worker.run_once().await.unwrap() {
            Some(handled) if handled.job == job => {
                let settled = !matches!(
                    handled.outcome,
                    coachai_ai_engine::worker::Outcome::Retrying(_)
                );
                seen.push(handled);
                if settled {
                    return seen;
                }
            }
            Some(_) => {}
            None => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Runs `worker` until it has handled `creator`'s `job` once, and returns what became of it.
pub async fn work_once_on(worker: &Worker, creator: CreatorId, job: JobId) -> Handled {
    let deadline = Instant::now() + Duration::from_secs(30);
    let db = db().await;
    loop {
        assert!(Instant::now() < deadline, "job {job} was never claimed");
        prioritise(&db, creator, job).await;
        match worker.run_once().await.unwrap() {
            Some(handled) if handled.job == job => return handled,
            Some(_) => {}
            None => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// A value read in `creator`'s transaction.
pub async fn scalar<T>(db: &Db, creator: CreatorId, sql: &str, id: Uuid) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut tx = db.begin_for(creator).await.unwrap();
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(tx.conn())
        .await
        .unwrap()
}
