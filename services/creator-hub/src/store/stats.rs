//! The creator's figures, counted in one tenant transaction (one statement, one snapshot).

use chrono::{DateTime, Utc};
use coachai_common::{AppError, TenantTx};

use crate::models::stats::{DocumentsByStatus, Stats};

type Row = (i64, i64, i64, i64, i64, i64, i64, i64);

/// Counts the tenant's content now and its conversations and messages in `[from, to)`.
pub async fn load(
    tx: &mut TenantTx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Stats, AppError> {
    let row: Row = sqlx::query_as(
        "SELECT
            (SELECT count(*) FILTER (WHERE status = 'pending') FROM content_items),
            (SELECT count(*) FILTER (WHERE status = 'processing') FROM content_items),
            (SELECT count(*) FILTER (WHERE status = 'ready') FROM content_items),
            (SELECT count(*) FILTER (WHERE status = 'failed') FROM content_items),
            (SELECT count(*) FROM content_chunks ch JOIN content_items c
                ON c.creator_id = ch.creator_id AND c.id = ch.content_id
               AND c.version = ch.version),
            (SELECT coalesce(sum(size_bytes + coalesce(pending_size_bytes, 0)), 0)::bigint
              FROM content_items),
            (SELECT count(*) FROM conversations WHERE created_at >= $1 AND created_at < $2),
            (SELECT count(*) FROM messages WHERE created_at >= $1 AND created_at < $2)",
    )
    .bind(from)
    .bind(to)
    .fetch_one(tx.conn())
    .await?;
    let (pending, processing, ready, failed, chunks, storage_bytes, conversations, messages) = row;
    Ok(Stats {
        from,
        to,
        documents: pending + processing + ready + failed,
        documents_by_status: DocumentsByStatus {
            pending,
            processing,
            ready,
            failed,
        },
        chunks,
        storage_bytes,
        conversations,
        messages,
    })
}
