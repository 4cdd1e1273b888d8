//! The queue's operations against PostgreSQL. Only [`claim`] works without a tenant, through
//! `app_claim_ingestion_job`; every other operation runs in a tenant transaction and names the
//! claim's lease token, so a stale worker changes nothing.

use std::time::Duration;

use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use uuid::Uuid;

use crate::backoff::RetryPolicy;
use crate::error::QueueError;
use crate::job::{Claim, JobId, JobKind};
use crate::version::{finish_embed, give_up_content};

/// What [`fail`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// The job is queued again and becomes due after `delay`.
    Retrying {
        /// The backoff before the next attempt.
        delay: Duration,
    },
    /// The job used its last attempt: it is `failed` and so is its content.
    GaveUp,
}

/// Queues a job for `content_id` in the caller's tenant transaction, so the content, its chunks
/// and its job commit together or not at all.
pub async fn enqueue(
    tx: &mut TenantTx,
    content_id: Uuid,
    kind: JobKind,
) -> Result<JobId, QueueError> {
    let creator = tx.creator();
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO ingestion_jobs (creator_id, content_id, kind) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(creator.0)
    .bind(content_id)
    .bind(kind.as_str())
    .fetch_one(tx.conn())
    .await?;
    Ok(JobId(id))
}

/// The `failure_reason` of content whose job was claimed `max_attempts` times and never
/// completed nor failed: its workers died (or hung past their lease) on every attempt.
pub const LEASES_EXHAUSTED: &str =
    "processing stopped without a result on every attempt (the worker's lease expired)";

/// Claims one due job of any creator for `lease`, or returns `None` when nothing is due. A job
/// is due when it is queued and its `next_run_at` has passed, or running with an expired lease.
/// A job claimed again after its workers died on all of its `max_attempts` is not returned: it
/// is `failed` (content too, with [`LEASES_EXHAUSTED`]) and the next due job is claimed.
pub async fn claim(db: &Db, lease: Duration) -> Result<Option<Claim>, QueueError> {
    let lease_ms = lease_millis(lease)?;
    loop {
        let Some(claim) = claim_one(db, lease_ms).await? else {
            return Ok(None);
        };
        if claim.attempt == 1 || !give_up_if_exhausted(db, &claim).await? {
            return Ok(Some(claim));
        }
    }
}

async fn claim_one(db: &Db, lease_ms: i64) -> Result<Option<Claim>, QueueError> {
    let row: Option<(Uuid, Uuid, Uuid, String, i32, Uuid)> =
        sqlx::query_as("SELECT * FROM app_claim_ingestion_job($1)")
            .bind(lease_ms)
            .fetch_optional(db.preauth())
            .await?;
    let Some((job, creator, content, kind, attempt, token)) = row else {
        return Ok(None);
    };
    Ok(Some(Claim {
        job_id: JobId(job),
        creator_id: CreatorId(creator),
        content_id: content,
        kind: kind.parse()?,
        attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
        lease_token: token,
    }))
}

/// Fails the job and its content, in the creator's transaction, when this claim is past the
/// job's last attempt. The claim function cannot: it sees ids only, never content rows.
async fn give_up_if_exhausted(db: &Db, claim: &Claim) -> Result<bool, QueueError> {
    let mut tx = db.begin_for(claim.creator_id).await?;
    let exhausted: Option<Option<i32>> = sqlx::query_scalar(
        "UPDATE ingestion_jobs
            SET status = 'failed', locked_until = NULL, lease_token = NULL, last_error = $3,
                updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND status = 'running' AND attempts > max_attempts
      RETURNING content_version",
    )
    .bind(claim.job_id.0)
    .bind(claim.lease_token)
    .bind(LEASES_EXHAUSTED)
    .fetch_optional(tx.conn())
    .await?;
    let Some(version) = exhausted else {
        return Ok(false);
    };
    if claim.kind == JobKind::Embed {
        give_up_content(&mut tx, claim.content_id, version, LEASES_EXHAUSTED).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Extends the lease of `claim` to `lease` from now, in a short transaction of its own, as long
/// as the claim still holds it; otherwise [`QueueError::LeaseLost`].
pub async fn heartbeat(db: &Db, claim: &Claim, lease: Duration) -> Result<(), QueueError> {
    let lease_ms = lease_millis(lease)?;
    let mut tx = db.begin_for(claim.creator_id).await?;
    let extended = sqlx::query(
        "UPDATE ingestion_jobs
            SET locked_until = now() + $3 * interval '1 millisecond',
                next_run_at = now() + $3 * interval '1 millisecond', updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND status = 'running'",
    )
    .bind(claim.job_id.0)
    .bind(claim.lease_token)
    .bind(lease_ms)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if extended == 0 {
        return Err(QueueError::LeaseLost { job: claim.job_id });
    }
    tx.commit().await?;
    Ok(())
}

/// Records the job as `succeeded`, exactly once: only while `claim` holds its lease. Completing
/// an `embed` job makes its content `ready`, swapping in the version the job ingested when that
/// version is pending (see [`crate::enqueue_version`]). Runs in the caller's transaction of the claim's
/// creator, so the work's own writes commit with the completion.
pub async fn complete(tx: &mut TenantTx, claim: &Claim) -> Result<(), QueueError> {
    check_tenant(tx, claim)?;
    let finished: Option<Option<i32>> = sqlx::query_scalar(
        "UPDATE ingestion_jobs
            SET status = 'succeeded', locked_until = NULL, lease_token = NULL, last_error = NULL,
                updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND status = 'running'
      RETURNING content_version",
    )
    .bind(claim.job_id.0)
    .bind(claim.lease_token)
    .fetch_optional(tx.conn())
    .await?;
    let Some(version) = finished else {
        return Err(QueueError::LeaseLost { job: claim.job_id });
    };
    if claim.kind == JobKind::Embed {
        finish_embed(tx, claim.content_id, version).await?;
    }
    Ok(())
}

/// Records a failed attempt while `claim` holds its lease: the job is queued again after a
/// backoff from `policy`, or, after its last attempt, it is `failed` and its content is `failed`
/// with `reason` as `failure_reason` (the job of a pending version drops that version instead,
/// and the live one stays as it was). A `delete` job that gives up leaves its content as it is.
pub async fn fail(
    tx: &mut TenantTx,
    claim: &Claim,
    reason: &str,
    policy: &RetryPolicy,
) -> Result<FailOutcome, QueueError> {
    check_tenant(tx, claim)?;
    let delay = policy.delay(claim.attempt);
    let status: Option<(String, Option<i32>)> = sqlx::query_as(
        "UPDATE ingestion_jobs
            SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                next_run_at = now() + $4 * interval '1 millisecond',
                locked_until = NULL, lease_token = NULL, last_error = $3, updated_at = now()
          WHERE id = $1 AND lease_token = $2 AND status = 'running'
      RETURNING status, content_version",
    )
    .bind(claim.job_id.0)
    .bind(claim.lease_token)
    .bind(reason)
    .bind(delay.as_secs_f64() * 1000.0)
    .fetch_optional(tx.conn())
    .await?;
    match status {
        None => Err(QueueError::LeaseLost { job: claim.job_id }),
        Some((status, version)) if status == "failed" => {
            if claim.kind == JobKind::Embed {
                give_up_content(tx, claim.content_id, version, reason).await?;
            }
            Ok(FailOutcome::GaveUp)
        }
        Some(_) => Ok(FailOutcome::Retrying { delay }),
    }
}

/// A claim is finished only in its own creator's transaction. RLS would hide the job anyway;
/// this names the mistake instead of reporting a lost lease.
fn check_tenant(tx: &TenantTx, claim: &Claim) -> Result<(), QueueError> {
    if tx.creator() == claim.creator_id {
        Ok(())
    } else {
        Err(QueueError::WrongTenant { job: claim.job_id })
    }
}

fn lease_millis(lease: Duration) -> Result<i64, QueueError> {
    match i64::try_from(lease.as_millis()) {
        Ok(ms) if ms >= 1 => Ok(ms),
        _ => Err(QueueError::InvalidLease),
    }
}
