//! The ingestion queue: the Hub enqueues jobs in its tenant transaction, workers claim them
//! through one `SECURITY DEFINER` function that returns ids only, and finish them in the claimed
//! creator's [`TenantTx`](coachai_common::tenancy::TenantTx), so no worker bypasses RLS.
//!
//! A claim holds a lease (`locked_until`) and a lease token. A worker that dies loses its job to
//! the next claim once the lease expires; a worker whose lease was taken over gets
//! [`QueueError::LeaseLost`] and changes nothing, so completion is recorded exactly once.
//! Failures are retried with [`backoff`] until `max_attempts`, then the content is `failed`.

mod backoff;
mod error;
mod job;
mod queue;

pub use backoff::{RetryPolicy, backoff};
pub use error::QueueError;
pub use job::{Claim, JobId, JobKind};
pub use queue::{FailOutcome, claim, complete, enqueue, fail, heartbeat};
