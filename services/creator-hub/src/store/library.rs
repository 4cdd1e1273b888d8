//! Reading and changing the library of the current tenant: pages in keyset order, one item,
//! its chunks, a patch and a delete.

use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::models::content::{ChunkView, Content, ContentPatch};
use crate::models::cursor::Cursor;
use crate::models::listing::contains_pattern;
use crate::store::content::{COLUMNS, Row, distinct};

/// The filters of a page, already checked.
#[derive(Debug, Default)]
pub struct Filter<'a> {
    /// `content_items.status`.
    pub status: Option<&'static str>,
    /// `content_items.kind`.
    pub kind: Option<&'static str>,
    /// A tag the item carries.
    pub tag: Option<&'a str>,
    /// Text the title contains.
    pub q: Option<&'a str>,
}

/// The answer for a content id the tenant does not have, whether or not it exists elsewhere.
pub fn no_such_content() -> AppError {
    AppError::NotFound("no such content".into())
}

/// Up to `limit` items after `after` in (created_at DESC, id DESC) order, and whether more
/// follow.
pub async fn page(
    tx: &mut TenantTx,
    filter: &Filter<'_>,
    after: Option<Cursor>,
    limit: u32,
) -> Result<(Vec<Content>, bool), AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM content_items c
          WHERE c.creator_id = $1
            AND ($2::text IS NULL OR c.status = $2)
            AND ($3::text IS NULL OR c.kind = $3)
            AND ($4::text IS NULL OR c.tags @> ARRAY[$4::text])
            AND ($5::text IS NULL OR c.title ILIKE $5)
            AND ($6::timestamptz IS NULL OR (c.created_at, c.id) < ($6, $7))
          ORDER BY c.created_at DESC, c.id DESC
          LIMIT $8"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(tx.creator().0)
        .bind(filter.status)
        .bind(filter.kind)
        .bind(filter.tag)
        .bind(filter.q.map(contains_pattern))
        .bind(after.map(|c| c.created_at))
        .bind(after.map(|c| c.id))
        .bind(i64::from(limit) + 1)
        .fetch_all(tx.conn())
        .await?;
    let more = rows.len() > limit as usize;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(Row::into_content)
        .collect::<Result<_, _>>()?;
    Ok((items, more))
}

/// The item `id`, or 404.
pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Content, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM content_items c WHERE c.id = $1");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    row.ok_or_else(no_such_content)?.into_content()
}

/// Applies `patch` to the item `id` (fields absent stay as they are), or 404.
pub async fn update(tx: &mut TenantTx, id: Uuid, patch: &ContentPatch) -> Result<(), AppError> {
    let changed = sqlx::query(
        "UPDATE content_items SET
            title = coalesce($2, title),
            tags = coalesce($3, tags),
            updated_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .bind(patch.title.as_deref().map(str::trim))
    .bind(patch.tags.as_deref().map(distinct))
    .execute(tx.conn())
    .await?;
    found(changed.rows_affected())
}

/// Deletes the item `id` (its chunks and embed jobs go with it) and queues, in the same
/// transaction, the `delete` job that removes its vectors; 404 when there is no such item.
pub async fn delete(tx: &mut TenantTx, id: Uuid) -> Result<(), AppError> {
    let gone = sqlx::query("DELETE FROM content_items WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    found(gone.rows_affected())?;
    coachai_ingestion::enqueue(tx, id, coachai_ingestion::JobKind::Delete)
        .await
        .map_err(AppError::from)?;
    Ok(())
}

/// The chunks of the live version of the item `id` in source order (a pending version's are
/// not shown until it is live), or 404 when there is no such item.
pub async fn chunks(tx: &mut TenantTx, id: Uuid) -> Result<Vec<ChunkView>, AppError> {
    let live: Option<i32> = sqlx::query_scalar("SELECT version FROM content_items WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    let live = live.ok_or_else(no_such_content)?;
    let rows: Vec<(i32, String, serde_json::Value)> = sqlx::query_as(
        "SELECT chunk_index, body, location FROM content_chunks
          WHERE creator_id = $1 AND content_id = $2 AND version = $3 ORDER BY chunk_index",
    )
    .bind(tx.creator().0)
    .bind(id)
    .bind(live)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(index, text, location)| ChunkView {
            index,
            text,
            location,
        })
        .collect())
}

fn found(rows: u64) -> Result<(), AppError> {
    if rows == 0 {
        Err(no_such_content())
    } else {
        Ok(())
    }
}
