//! Passages read from PostgreSQL in the asking creator's transaction: vector hits resolved to
//! the live version of their content (a hit of a replaced version, or of content deleted since,
//! is dropped), and full-text search over the same chunks when vectors cannot be had.

use coachai_common::AppError;
use coachai_common::tenancy::TenantTx;
use serde_json::Value;
use uuid::Uuid;

use super::passages::Passage;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    content_id: Uuid,
    title: String,
    location: Value,
    body: String,
    rank: f32,
}

impl Row {
    fn into_passage(self, score: f32) -> Passage {
        Passage {
            chunk_id: self.id,
            content_id: self.content_id,
            title: self.title,
            location: self.location,
            text: self.body,
            score,
        }
    }
}

/// The passages of `hits` (chunk id and score, best first) that belong to the live version of
/// their content, in the same order.
pub(crate) async fn resolve_hits(
    tx: &mut TenantTx,
    hits: &[(Uuid, f32)],
) -> Result<Vec<Passage>, AppError> {
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = hits.iter().map(|h| h.0).collect();
    let mut rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.content_id, i.title, c.location, c.body, 0::real AS rank
           FROM content_chunks c
           JOIN content_items i ON i.creator_id = c.creator_id AND i.id = c.content_id
          WHERE c.creator_id = $1 AND c.id = ANY($2) AND c.version = i.version",
    )
    .bind(tx.creator().0)
    .bind(&ids)
    .fetch_all(tx.conn())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, score) in hits {
        if let Some(at) = rows.iter().position(|r| r.id == *id) {
            out.push(rows.swap_remove(at).into_passage(*score));
        }
    }
    Ok(out)
}

/// Up to `limit` live chunks matching any word of `question` by PostgreSQL full-text search
/// (English stems, stop words ignored), best first; the score is the normalised rank (between 0 and 1).
pub(crate) async fn full_text(
    tx: &mut TenantTx,
    question: &str,
    limit: i64,
) -> Result<Vec<Passage>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.content_id, i.title, c.location, c.body,
                ts_rank_cd(c.tsv, q, 32)::real AS rank
           FROM content_chunks c
           JOIN content_items i ON i.creator_id = c.creator_id AND i.id = c.content_id,
                to_tsquery('english', replace(plainto_tsquery('english', $2)::text, '&', '|')) AS q
          WHERE c.creator_id = $1 AND c.tsv @@ q AND c.version = i.version
          ORDER BY rank DESC, c.id
          LIMIT $3",
    )
    .bind(tx.creator().0)
    .bind(question)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let rank = row.rank;
            row.into_passage(rank)
        })
        .collect())
}
