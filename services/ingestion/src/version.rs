//! Versions of a content item's body: the embed job of a new version is queued beside the live
//! version, replaces any older pending one, and its completion swaps the version in (the live
//! version number, status `ready`, the old chunks deleted) in the completing transaction, so
//! answers read the previous version until the new one's vectors are ready.

use coachai_common::tenancy::TenantTx;
use uuid::Uuid;

use crate::error::QueueError;
use crate::job::{Claim, JobId, JobKind};

/// The `last_error` of an embed job whose version was replaced by a newer body before it ran.
pub const SUPERSEDED: &str = "superseded by a newer version of the content";

/// Queues the embed job of `version` of `content_id` in the caller's tenant transaction (which
/// also wrote that version's chunks and set it pending). Unfinished embed jobs of older pending
/// versions end `failed` with [`SUPERSEDED`]: a worker holding one loses its lease and changes
/// nothing, and a sweep of the item's vectors is queued for whatever that version embedded. The
/// job of an item's first body (no version named) keeps running.
pub async fn enqueue_version(
    tx: &mut TenantTx,
    content_id: Uuid,
    version: i32,
) -> Result<JobId, QueueError> {
    let creator = tx.creator();
    let superseded = sqlx::query(
        "UPDATE ingestion_jobs
            SET status = 'failed', locked_until = NULL, lease_token = NULL, last_error = $4,
                updated_at = now()
          WHERE creator_id = $1 AND content_id = $2 AND content_version < $3
            AND kind = 'embed' AND status IN ('queued', 'running')",
    )
    .bind(creator.0)
    .bind(content_id)
    .bind(version)
    .bind(SUPERSEDED)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if superseded > 0 {
        queue_sweep(tx, content_id).await?;
    }
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO ingestion_jobs (creator_id, content_id, kind, content_version)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(creator.0)
    .bind(content_id)
    .bind(JobKind::Embed.as_str())
    .bind(version)
    .fetch_one(tx.conn())
    .await?;
    Ok(JobId(id))
}

/// The version whose chunks the embed job of `claim` embeds: the version it names, or the
/// item's live version for the job of a first body (which names none). Read in the claim's
/// tenant transaction; a job or item gone since the claim is [`QueueError::LeaseLost`].
pub async fn chunk_version(tx: &mut TenantTx, claim: &Claim) -> Result<i32, QueueError> {
    let version: Option<i32> = sqlx::query_scalar(
        "SELECT coalesce(j.content_version, c.version)
           FROM ingestion_jobs j
           JOIN content_items c ON c.creator_id = j.creator_id AND c.id = j.content_id
          WHERE j.id = $1 AND j.lease_token = $2",
    )
    .bind(claim.job_id().0)
    .bind(claim.lease_token())
    .fetch_optional(tx.conn())
    .await?;
    version.ok_or(QueueError::LeaseLost {
        job: claim.job_id(),
    })
}

/// What completing an embed job does to its content: the item's first body becomes `ready`;
/// a pending version is swapped in; a version that is neither live nor pending any more changes
/// nothing.
pub(crate) async fn finish_embed(
    tx: &mut TenantTx,
    content_id: Uuid,
    version: Option<i32>,
) -> Result<(), QueueError> {
    let Some(version) = version else {
        return set_ready(tx, content_id, None).await;
    };
    if swap_in(tx, content_id, version).await? {
        return Ok(());
    }
    set_ready(tx, content_id, Some(version)).await
}

/// Makes pending `version` the live one, with its metadata, and deletes the chunks of older
/// versions; `false` when `version` is not the item's pending version.
async fn swap_in(tx: &mut TenantTx, content_id: Uuid, version: i32) -> Result<bool, QueueError> {
    let swapped = sqlx::query(
        "UPDATE content_items
            SET version = pending_version, kind = pending_kind, mime_type = pending_mime_type,
                size_bytes = pending_size_bytes, sha256 = pending_sha256,
                source_filename = pending_source_filename,
                pending_version = NULL, pending_kind = NULL, pending_mime_type = NULL,
                pending_size_bytes = NULL, pending_sha256 = NULL, pending_source_filename = NULL,
                status = 'ready', failure_reason = NULL, updated_at = now()
          WHERE id = $1 AND pending_version = $2",
    )
    .bind(content_id)
    .bind(version)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if swapped == 0 {
        return Ok(false);
    }
    sqlx::query(
        "DELETE FROM content_chunks WHERE creator_id = $1 AND content_id = $2 AND version < $3",
    )
    .bind(tx.creator().0)
    .bind(content_id)
    .bind(version)
    .execute(tx.conn())
    .await?;
    queue_sweep(tx, content_id).await?;
    Ok(true)
}

/// Queues a `delete` job for the item's vectors whose chunks no longer exist (the AI Engine
/// compares its vectors with the chunks left), unless one is already waiting to run: a waiting
/// sweep will see every chunk deleted before it starts.
async fn queue_sweep(tx: &mut TenantTx, content_id: Uuid) -> Result<(), QueueError> {
    sqlx::query(
        "INSERT INTO ingestion_jobs (creator_id, content_id, kind)
         SELECT $1, $2, 'delete'
          WHERE NOT EXISTS (
                SELECT 1 FROM ingestion_jobs
                 WHERE creator_id = $1 AND content_id = $2 AND kind = 'delete'
                   AND status = 'queued')",
    )
    .bind(tx.creator().0)
    .bind(content_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Marks the item `ready`, only while `version` (when named) is its live version.
async fn set_ready(
    tx: &mut TenantTx,
    content_id: Uuid,
    version: Option<i32>,
) -> Result<(), QueueError> {
    sqlx::query(
        "UPDATE content_items SET status = 'ready', failure_reason = NULL, updated_at = now()
          WHERE id = $1 AND ($2::int IS NULL OR version = $2)",
    )
    .bind(content_id)
    .bind(version)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// What giving up on an embed job does to its content: the item's first body is `failed` with
/// `reason`; a pending version is dropped (its chunks deleted, nothing pending) while the live
/// version keeps its status, and `failure_reason` says which version was dropped and why; a
/// version no longer pending changes nothing.
pub(crate) async fn give_up_content(
    tx: &mut TenantTx,
    content_id: Uuid,
    version: Option<i32>,
    reason: &str,
) -> Result<(), QueueError> {
    let Some(version) = version else {
        sqlx::query(
            "UPDATE content_items SET status = 'failed', failure_reason = $2, updated_at = now()
              WHERE id = $1",
        )
        .bind(content_id)
        .bind(reason)
        .execute(tx.conn())
        .await?;
        return Ok(());
    };
    let dropped = sqlx::query(
        "UPDATE content_items
            SET pending_version = NULL, pending_kind = NULL, pending_mime_type = NULL,
                pending_size_bytes = NULL, pending_sha256 = NULL, pending_source_filename = NULL,
                failure_reason = $3, updated_at = now()
          WHERE id = $1 AND pending_version = $2",
    )
    .bind(content_id)
    .bind(version)
    .bind(format!(
        "version {version} could not be processed and was dropped: {reason}"
    ))
    .execute(tx.conn())
    .await?
    .rows_affected();
    if dropped > 0 {
        sqlx::query(
            "DELETE FROM content_chunks WHERE creator_id = $1 AND content_id = $2 AND version = $3",
        )
        .bind(tx.creator().0)
        .bind(content_id)
        .bind(version)
        .execute(tx.conn())
        .await?;
        queue_sweep(tx, content_id).await?;
    }
    Ok(())
}
