//! The embedding worker: claims ingestion jobs from the Creator Hub's queue, embeds the chunks
//! of `embed` jobs in batches with the creator's embedding model and stores the vectors in the
//! creator's collection, and sweeps the vectors whose chunks are gone for `delete` jobs.
//!
//! Every step after the claim runs in the claimed creator's tenant transaction, and the
//! collection is derived from that creator only. A batch is read, embedded, stored and marked
//! before the next is read, so memory holds one batch whatever the document's size; the lease is
//! renewed after each batch. A failure is recorded with the queue's backoff; after the last
//! attempt the content is `failed` with the reason.

mod chunks;
mod embed;
mod sweep;

use std::time::Duration;

use coachai_common::tenancy::Db;
use coachai_ingestion::{Claim, FailOutcome, JobId, JobKind, QueueError, RetryPolicy};
use tokio_util::sync::CancellationToken;

use crate::ollama::{OllamaClient, OllamaFailure};
use crate::vectors::{VectorError, VectorStore};

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// How long a claim is held without a heartbeat.
    pub lease: Duration,
    /// Chunks embedded per Ollama call (and per vector upsert).
    pub batch: i64,
    /// The pause after finding no due job.
    pub idle: Duration,
    /// Retry delays of failed jobs.
    pub retry: RetryPolicy,
}

impl Default for WorkerOptions {
    /// A 60 s lease, batches of 32 chunks, a 1 s pause when idle, the queue's default retries.
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(60),
            batch: 32,
            idle: Duration::from_secs(1),
            retry: RetryPolicy::default(),
        }
    }
}

/// What became of one claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done and recorded.
    Completed,
    /// Failed; queued again after the delay.
    Retrying(Duration),
    /// Failed on its last attempt: the job (and an embed job's content) is `failed`.
    GaveUp,
    /// Another worker took the job over; nothing was recorded.
    LeaseLost,
}

/// One job the worker handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// The job.
    pub job: JobId,
    /// Embed or delete.
    pub kind: JobKind,
    /// What became of it.
    pub outcome: Outcome,
}

/// Why a job's step failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StepError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Database(#[from] coachai_common::AppError),
    #[error("embedding failed: {0}")]
    Ollama(#[from] OllamaFailure),
    #[error("storing vectors failed: {0}")]
    Vectors(#[from] VectorError),
}

/// Claims and works ingestion jobs.
#[derive(Clone)]
pub struct Worker {
    db: Db,
    ollama: OllamaClient,
    vectors: VectorStore,
    options: WorkerOptions,
}

impl Worker {
    /// A worker over the queue in `db`, embedding with `ollama` into `vectors`.
    pub fn new(db: Db, ollama: OllamaClient, vectors: VectorStore, options: WorkerOptions) -> Self {
        Self {
            db,
            ollama,
            vectors,
            options,
        }
    }

    /// Works jobs until `shutdown` is cancelled; a job in hand is finished or left to its lease.
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let pause = match self.run_once().await {
                Ok(Some(_)) => Duration::ZERO,
                Ok(None) => self.options.idle,
                Err(err) => {
                    log_queue_error(&err);
                    self.options.idle
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Claims one due job and works it; `None` when no job is due.
    pub async fn run_once(&self) -> Result<Option<Handled>, QueueError> {
        let Some(claim) = coachai_ingestion::claim(&self.db, self.options.lease).await? else {
            return Ok(None);
        };
        let result = match claim.kind() {
            JobKind::Embed => self.embed(&claim).await,
            JobKind::Delete => self.sweep(&claim).await,
        };
        let outcome = self.record(&claim, result).await?;
        metrics::counter!("coachai_ingestion_jobs_total",
            "kind" => claim.kind().as_str(), "outcome" => outcome_label(&outcome))
        .increment(1);
        Ok(Some(Handled {
            job: claim.job_id(),
            kind: claim.kind(),
            outcome,
        }))
    }

    /// Records a failed step with the queue's backoff (in a fresh transaction: the step's own
    /// was rolled back); a lost lease records nothing.
    async fn record(
        &self,
        claim: &Claim,
        result: Result<(), StepError>,
    ) -> Result<Outcome, QueueError> {
        let err = match result {
            Ok(()) => return Ok(Outcome::Completed),
            Err(StepError::Queue(QueueError::LeaseLost { .. })) => return Ok(Outcome::LeaseLost),
            Err(err) => err,
        };
        log_step_error(claim, &err);
        let mut tx = self.db.begin_for(claim.creator()).await?;
        let failed =
            coachai_ingestion::fail(&mut tx, claim, &err.to_string(), &self.options.retry).await;
        let outcome = match failed {
            Ok(FailOutcome::Retrying { delay }) => Outcome::Retrying(delay),
            Ok(FailOutcome::GaveUp) => Outcome::GaveUp,
            Err(QueueError::LeaseLost { .. }) => return Ok(Outcome::LeaseLost),
            Err(other) => return Err(other),
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

fn outcome_label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Completed => "completed",
        Outcome::Retrying(_) => "retrying",
        Outcome::GaveUp => "failed",
        Outcome::LeaseLost => "lease_lost",
    }
}

fn log_step_error(claim: &Claim, err: &StepError) {
    tracing::warn!(job = %claim.job_id(), kind = claim.kind().as_str(), attempt = claim.attempt(),
        error = %err, "ingestion job step failed");
}

fn log_queue_error(err: &QueueError) {
    tracing::warn!(error = %err, "claiming an ingestion job failed");
}
