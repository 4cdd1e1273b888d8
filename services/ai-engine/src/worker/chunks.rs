//! What the embedding worker reads and writes in PostgreSQL, always in the claimed creator's
//! tenant transaction: the creator's embedding model, the chunks of one version in batches, the
//! progress of each chunk, and the chunk ids a sweep keeps.

use std::collections::HashSet;

use coachai_common::AppError;
use coachai_common::tenancy::TenantTx;
use serde_json::Value;
use uuid::Uuid;

/// One chunk to embed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ChunkRow {
    pub id: Uuid,
    pub chunk_index: i32,
    pub body: String,
    pub location: Value,
}

/// The embedding model of the transaction's creator.
pub(crate) async fn embedding_model(tx: &mut TenantTx) -> Result<String, AppError> {
    let creator = tx.creator();
    let model: String = sqlx::query_scalar("SELECT embedding_model FROM creators WHERE id = $1")
        .bind(creator.0)
        .fetch_one(tx.conn())
        .await?;
    Ok(model)
}

/// Marks the item `processing` while its first body is embedded; a new version of a `ready`
/// item leaves the live status alone.
pub(crate) async fn mark_processing(tx: &mut TenantTx, content: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE content_items SET status = 'processing', updated_at = now()
          WHERE id = $1 AND status = 'pending'",
    )
    .bind(content)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Up to `limit` chunks of `version` of `content` after position `after`, in order.
pub(crate) async fn next_batch(
    tx: &mut TenantTx,
    content: Uuid,
    version: i32,
    after: i32,
    limit: i64,
) -> Result<Vec<ChunkRow>, AppError> {
    let rows = sqlx::query_as(
        "SELECT id, chunk_index, body, location FROM content_chunks
          WHERE creator_id = $1 AND content_id = $2 AND version = $3 AND chunk_index > $4
          ORDER BY chunk_index LIMIT $5",
    )
    .bind(tx.creator().0)
    .bind(content)
    .bind(version)
    .bind(after)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows)
}

/// Records that the chunks `ids` have their vectors (the id of a vector is its chunk's id), so
/// the library's `chunks_processed` moves on.
pub(crate) async fn mark_embedded(tx: &mut TenantTx, ids: &[Uuid]) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE content_chunks SET embedding_id = id::text
          WHERE creator_id = $1 AND id = ANY($2)",
    )
    .bind(tx.creator().0)
    .bind(ids)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The ids of the chunks `content` still has, every version.
pub(crate) async fn chunk_ids(tx: &mut TenantTx, content: Uuid) -> Result<HashSet<Uuid>, AppError> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM content_chunks WHERE creator_id = $1 AND content_id = $2",
    )
    .bind(tx.creator().0)
    .bind(content)
    .fetch_all(tx.conn())
    .await?;
    Ok(ids.into_iter().collect())
}
