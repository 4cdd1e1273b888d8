//! The operations of [`VectorStore`]: store, search and delete a creator's chunk vectors, and
//! drop the creator's whole collection. Each takes the [`CreatorId`] and nothing else names the
//! collection, so one creator's call cannot reach another creator's vectors.

use std::sync::Arc;

use chroma::ChromaCollection;
use chroma::types::{Include, IncludeList, Key, Where};
use coachai_common::CreatorId;
use uuid::Uuid;

use super::VectorStore;
use super::error::{Failure, VectorError};
use super::records::{self, ChunkVector, Hit, collection_name, keys};

impl VectorStore {
    /// Creates the creator's collection (cosine space) unless it exists: the provisioning step.
    /// The other operations do not need it first.
    pub async fn create_collection(&self, creator: CreatorId) -> Result<(), VectorError> {
        self.ensure(creator).await.map(drop)
    }

    /// Stores `chunks` in the creator's collection (created on first use), replacing records
    /// with the same chunk id. An empty slice does nothing.
    pub async fn upsert_chunks(
        &self,
        creator: CreatorId,
        chunks: &[ChunkVector],
    ) -> Result<(), VectorError> {
        if chunks.is_empty() {
            return Ok(());
        }
        match self.try_upsert(creator, chunks).await {
            // The cached handle outlived its collection (dropped by another process): once more
            // with a fresh one.
            Err(Failure::Missing) => {
                self.forget(creator).await;
                self.try_upsert(creator, chunks).await.map_err(into_error)
            }
            other => other.map_err(into_error),
        }
    }

    async fn try_upsert(&self, creator: CreatorId, chunks: &[ChunkVector]) -> Result<(), Failure> {
        let collection = self.ensure(creator).await.map_err(Failure::Error)?;
        let ids = chunks.iter().map(|c| c.chunk_id.to_string()).collect();
        let embeddings: Vec<Vec<f32>> = chunks.iter().map(|c| c.embedding.clone()).collect();
        let documents = chunks.iter().map(|c| c.text.clone()).collect();
        let metadatas = chunks.iter().map(|c| Some(c.metadata())).collect();
        let call = async {
            collection
                .upsert(ids, embeddings, Some(documents), None, Some(metadatas))
                .await?;
            Ok(())
        };
        self.bounded("upsert", call).await
    }

    /// The creator's `top_k` chunks nearest to `embedding` whose score (cosine similarity) is at
    /// least `min_score`, best first. A creator without a collection yet has no hits.
    pub async fn query(
        &self,
        creator: CreatorId,
        embedding: &[f32],
        top_k: u32,
        min_score: f32,
    ) -> Result<Vec<Hit>, VectorError> {
        if top_k == 0 {
            return Ok(Vec::new());
        }
        let Some(collection) = self.existing(creator).await? else {
            return Ok(Vec::new());
        };
        let include = IncludeList(vec![Include::Metadata, Include::Distance]);
        let call = async {
            Ok(collection
                .query(
                    vec![embedding.to_vec()],
                    // One more than asked: the isolation canary may be among the nearest.
                    Some(top_k.saturating_add(1)),
                    None,
                    None,
                    Some(include),
                )
                .await?)
        };
        match self.bounded("query", call).await {
            Ok(response) => records::hits(response, top_k, min_score),
            Err(failure) => self.after_missing(creator, failure, Vec::new()).await,
        }
    }

    /// Deletes every vector of one content item, whatever its version.
    pub async fn delete_content(
        &self,
        creator: CreatorId,
        content_id: Uuid,
    ) -> Result<(), VectorError> {
        let filter = Key::field(keys::CONTENT_ID).eq(content_id.to_string());
        self.delete_where(creator, filter).await
    }

    /// Deletes the vectors of one version of a content item (a version that was replaced),
    /// leaving its other versions alone.
    pub async fn delete_version(
        &self,
        creator: CreatorId,
        content_id: Uuid,
        version: i32,
    ) -> Result<(), VectorError> {
        let filter = Key::field(keys::CONTENT_ID).eq(content_id.to_string())
            & Key::field(keys::VERSION).eq(i64::from(version));
        self.delete_where(creator, filter).await
    }

    async fn delete_where(&self, creator: CreatorId, filter: Where) -> Result<(), VectorError> {
        let Some(collection) = self.existing(creator).await? else {
            return Ok(());
        };
        match self.bounded("delete", delete(&collection, filter)).await {
            Ok(()) => Ok(()),
            Err(failure) => self.after_missing(creator, failure, ()).await,
        }
    }

    /// Drops the creator's collection and every vector in it (the creator is being deleted).
    /// Dropping a collection that does not exist succeeds.
    pub async fn drop_collection(&self, creator: CreatorId) -> Result<(), VectorError> {
        self.forget(creator).await;
        let call = async {
            Ok(self
                .client
                .delete_collection(collection_name(creator))
                .await?)
        };
        let outcome = self.bounded("drop collection", call).await;
        self.forget(creator).await;
        match outcome {
            Ok(()) | Err(Failure::Missing) => Ok(()),
            Err(Failure::Error(err)) => Err(err),
        }
    }

    /// A vanished collection means "nothing there" (`empty`) once the stale handle is
    /// forgotten; any other failure is the error.
    pub(super) async fn after_missing<T>(
        &self,
        creator: CreatorId,
        failure: Failure,
        empty: T,
    ) -> Result<T, VectorError> {
        match failure {
            Failure::Missing => {
                self.forget(creator).await;
                Ok(empty)
            }
            Failure::Error(err) => Err(err),
        }
    }
}

async fn delete(collection: &Arc<ChromaCollection>, filter: Where) -> Result<(), Failure> {
    collection.delete(None, Some(filter), None).await?;
    Ok(())
}

fn into_error(failure: Failure) -> VectorError {
    match failure {
        Failure::Missing => VectorError::Unexpected("the collection vanished twice".into()),
        Failure::Error(err) => err,
    }
}
