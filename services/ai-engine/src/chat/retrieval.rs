//! Retrieval for one question: the question's embedding (the creator's embedding model), the
//! nearest chunks of the creator's collection above the relevance threshold, merged with
//! PostgreSQL full-text hits by reciprocal rank (exact terms the embedding misses); when
//! Ollama or ChromaDB cannot be had, full-text hits alone, and the answer says it degraded.
//! Each retrieval is counted in `coachai_chat_retrieval_total{mode="hybrid"|"full_text"}`.

use std::collections::HashMap;

use coachai_common::AppError;
use coachai_common::cache::Cache;
use coachai_common::tenancy::TenantTx;
use uuid::Uuid;

use super::passages::Passage;
use super::store;
use crate::ollama::OllamaClient;
use crate::vectors::VectorStore;

/// How many passages, and how relevant.
#[derive(Debug, Clone, Copy)]
pub struct RetrievalOptions {
    /// Passages offered to the prompt.
    pub top_k: usize,
    /// Lowest cosine similarity of a vector hit.
    pub min_score: f32,
}

impl Default for RetrievalOptions {
    /// Five passages of cosine similarity 0.3 or more.
    fn default() -> Self {
        Self {
            top_k: 5,
            min_score: 0.3,
        }
    }
}

/// What retrieval found, and why it fell back to full-text search when it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    /// Best first.
    pub passages: Vec<Passage>,
    /// `Some(reason)` when vectors could not be searched.
    pub degraded: Option<String>,
}

/// The nearest vectors' chunk ids and scores, or why vector search could not be had.
pub type Nearest = Result<Vec<(Uuid, f32)>, String>;

/// The engine's handles retrieval uses.
pub struct Retriever<'a> {
    /// Keeps question embeddings for a while.
    pub cache: &'a Cache,
    /// Embeds the question; `None` while Ollama is known to be down (full text only).
    pub ollama: Option<&'a OllamaClient>,
    /// The creator's collection.
    pub vectors: &'a VectorStore,
    /// How many and how relevant.
    pub options: RetrievalOptions,
}

impl Retriever<'_> {
    /// The passages for `question`: the `nearest` vectors (read before the transaction, see
    /// [`Retriever::nearest`]) resolved to the transaction's creator's live content and merged
    /// with full-text hits; full-text hits alone when `nearest` failed.
    pub async fn resolve(
        &self,
        tx: &mut TenantTx,
        question: &str,
        nearest: Nearest,
    ) -> Result<Retrieved, AppError> {
        let limit = i64::try_from(self.options.top_k).unwrap_or(5);
        let words = store::full_text(tx, question, limit).await?;
        let nearest = match nearest {
            Ok(hits) => hits,
            Err(reason) => {
                metrics::counter!("coachai_chat_retrieval_total", "mode" => "full_text")
                    .increment(1);
                return Ok(Retrieved {
                    passages: words,
                    degraded: Some(reason),
                });
            }
        };
        metrics::counter!("coachai_chat_retrieval_total", "mode" => "hybrid").increment(1);
        let vectors = store::resolve_hits(tx, &nearest).await?;
        Ok(Retrieved {
            passages: merge(vectors, words, self.options.top_k),
            degraded: None,
        })
    }

    /// Chunk ids and scores of `creator`'s vectors nearest to `question`, or why they cannot be
    /// had. Network only (Ollama, ChromaDB): called before the tenant transaction opens, so no
    /// pool connection waits on them.
    pub async fn nearest(
        &self,
        creator: coachai_common::tenancy::CreatorId,
        model: &str,
        question: &str,
    ) -> Nearest {
        let ollama = self
            .ollama
            .ok_or("the question could not be embedded (Ollama is unavailable)")?;
        let embedding = super::question::embedding(self.cache, ollama, creator, model, question)
            .await
            .map_err(|e| format!("the question could not be embedded ({e})"))?;
        let top = u32::try_from(self.options.top_k).unwrap_or(5);
        let hits = self
            .vectors
            .query(creator, &embedding, top, self.options.min_score)
            .await
            .map_err(|e| format!("vector search is unavailable ({e})"))?;
        Ok(hits.into_iter().map(|h| (h.chunk_id, h.score)).collect())
    }
}

/// Reciprocal-rank fusion of vector and full-text passages (each best first): a passage's
/// weight is the sum of 1/(60 + rank) over the lists it is in; it keeps its vector score when
/// it has one. The best `top_k`.
pub fn merge(vectors: Vec<Passage>, words: Vec<Passage>, top_k: usize) -> Vec<Passage> {
    const K: f32 = 60.0;
    let mut fused: HashMap<Uuid, (f32, Passage)> = HashMap::new();
    for (list, is_vector) in [(vectors, true), (words, false)] {
        for (rank, passage) in list.into_iter().enumerate() {
            let weight = 1.0 / (K + rank as f32 + 1.0);
            fused
                .entry(passage.chunk_id)
                .and_modify(|(w, kept)| {
                    *w += weight;
                    if is_vector {
                        kept.score = passage.score;
                    }
                })
                .or_insert((weight, passage));
        }
    }
    let mut ranked: Vec<(f32, Passage)> = fused.into_values().collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.score.total_cmp(&a.1.score)));
    ranked.into_iter().take(top_k).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn passage(n: u128, score: f32) -> Passage {
        Passage {
            chunk_id: Uuid::from_u128(n),
            content_id: Uuid::nil(),
            title: String::new(),
            location: json!({}),
            text: String::new(),
            score,
        }
    }

    #[test]
    fn a_passage_found_both_ways_ranks_first_and_keeps_its_vector_score() {
        let vectors = vec![passage(1, 0.8), passage(2, 0.7)];
        let words = vec![passage(2, 0.1), passage(3, 0.05)];
        let merged = merge(vectors, words, 3);
        let ids: Vec<u128> = merged.iter().map(|p| p.chunk_id.as_u128()).collect();
        assert_eq!(ids, [2, 1, 3]);
        assert_eq!(merged[0].score, 0.7);
    }

    #[test]
    fn no_more_than_top_k_are_kept() {
        let vectors = (0..10).map(|n| passage(n, 0.5)).collect();
        assert_eq!(merge(vectors, Vec::new(), 4).len(), 4);
    }
}
