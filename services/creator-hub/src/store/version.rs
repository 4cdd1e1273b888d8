//! A new body for an existing item: chunked as the next version beside the live one, which
//! answers keep using until the new version's embed job completes and
//! [`coachai_ingestion::complete`] swaps it in. At most one version is pending; a newer body
//! replaces a pending one (its chunks are deleted and its job superseded).

use coachai_common::{AppError, FieldError, TenantTx};
use coachai_ingestion::enqueue_version;
use uuid::Uuid;

use crate::store::content::{Ingest, NewItem, distinct, insert_chunks};
use crate::store::library::no_such_content;
use crate::store::quota;

/// Stores `item` as the next version of the item `id` in one transaction: quota checked under
/// the creator row's lock, then the item row locked, the replaced pending version's chunks
/// deleted, the new chunks written, the version set pending and its embed job queued. Title and
/// tags are not versioned: they change at once. Returns the new version's number; 404 when the
/// tenant has no such item, 422 when the new source yields nothing to read (nothing changes).
pub async fn replace_body(
    tx: &mut TenantTx,
    id: Uuid,
    item: &NewItem,
    ingest: &Ingest,
) -> Result<i32, AppError> {
    let pieces = match ingest {
        Ingest::Chunks(pieces) => pieces,
        Ingest::Failed(reason) => {
            return Err(AppError::Validation(vec![FieldError {
                field: "file".into(),
                message: reason.clone(),
            }]));
        }
    };
    // The item row first, then the creator row: a concurrent upload takes only the creator row
    // and a concurrent new body of this item waits here, so no two wait on each other.
    let (live, pending, pending_bytes) = locked_versions(tx, id).await?;
    quota::reserve_version(tx, item.size_bytes, pending_bytes.unwrap_or(0)).await?;
    let version = pending.unwrap_or(live) + 1;
    sqlx::query(
        "DELETE FROM content_chunks WHERE creator_id = $1 AND content_id = $2 AND version > $3",
    )
    .bind(tx.creator().0)
    .bind(id)
    .bind(live)
    .execute(tx.conn())
    .await?;
    set_pending(tx, id, version, item).await?;
    insert_chunks(tx, id, version, pieces).await?;
    enqueue_version(tx, id, version).await?;
    Ok(version)
}

/// The live version, the pending one and its size, with the row locked against a concurrent
/// new body; 404 when there is no such item.
async fn locked_versions(
    tx: &mut TenantTx,
    id: Uuid,
) -> Result<(i32, Option<i32>, Option<i64>), AppError> {
    let row: Option<(i32, Option<i32>, Option<i64>)> = sqlx::query_as(
        "SELECT version, pending_version, pending_size_bytes FROM content_items
          WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    row.ok_or_else(no_such_content)
}

/// Records `version` as pending with the metadata of its source, and the new title and tags.
async fn set_pending(
    tx: &mut TenantTx,
    id: Uuid,
    version: i32,
    item: &NewItem,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE content_items
            SET pending_version = $2, pending_kind = $3, pending_mime_type = $4,
                pending_size_bytes = $5, pending_sha256 = $6, pending_source_filename = $7,
                title = $8, tags = $9, updated_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .bind(version)
    .bind(item.kind.as_str())
    .bind(item.mime_type)
    .bind(item.size_bytes)
    .bind(&item.sha256)
    .bind(item.source_filename.as_deref())
    .bind(item.title.trim())
    .bind(distinct(&item.tags))
    .execute(tx.conn())
    .await?;
    Ok(())
}
