//! The ingestion queue: the Hub enqueues jobs in its tenant transaction, workers claim them
//! through one `SECURITY DEFINER` function that returns ids only, and finish them in the claimed
//! creator's [`TenantTx`](coachai_common::tenancy::TenantTx), so no worker bypasses RLS.
//!
//! A claim holds a lease (`locked_until`) and a lease token. A worker that dies loses its job to
//! the next claim once the lease expires; a worker whose lease was taken over gets
//! [`QueueError::LeaseLost`] and changes nothing, so completion is recorded exactly once.
//! Failures are retried with [`backoff`] until `max_attempts`, then the content is `failed`;
//! so is a job whose workers died on every attempt ([`LEASES_EXHAUSTED`]).
//!
//! Versions: a new body of an item is queued with [`enqueue_version`] beside the live version;
//! the worker embeds the chunks of [`chunk_version`], and [`complete`] swaps the version in (so
//! answers read the previous version until then); giving up on it drops it instead.
//!
//! A worker's step, as the AI Engine plugs it in. A failed step rolls its own writes back and
//! records the failure in a fresh transaction, since a failed statement aborts the first one:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use coachai_common::tenancy::{Db, TenantTx};
//! use coachai_ingestion::{Claim, QueueError, RetryPolicy, claim, complete, fail};
//!
//! async fn embed(tx: &mut TenantTx, job: &Claim) -> Result<(), String> {
//!     // Read the chunks of job.content_id() in `tx`, embed them, store the vectors.
//!     Ok(())
//! }
//!
//! async fn work_once(db: &Db) -> Result<bool, QueueError> {
//!     let Some(job) = claim(db, Duration::from_secs(60)).await? else {
//!         return Ok(false);
//!     };
//!     let mut tx = db.begin_for(job.creator()).await?;
//!     match embed(&mut tx, &job).await {
//!         Ok(()) => {
//!             complete(&mut tx, &job).await?;
//!             tx.commit().await?;
//!         }
//!         Err(reason) => {
//!             drop(tx);
//!             let mut tx = db.begin_for(job.creator()).await?;
//!             fail(&mut tx, &job, &reason, &RetryPolicy::default()).await?;
//!             tx.commit().await?;
//!         }
//!     }
//!     Ok(true)
//! }
//! ```

mod backoff;
mod error;
mod job;
mod queue;
mod version;

pub use backoff::{RetryPolicy, backoff};
pub use error::QueueError;
pub use job::{Claim, JobId, JobKind};
pub use queue::{FailOutcome, LEASES_EXHAUSTED, claim, complete, enqueue, fail, heartbeat};
pub use version::{SUPERSEDED, chunk_version, enqueue_version};
