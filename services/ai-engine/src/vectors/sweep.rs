//! What the embedding worker's sweep needs: the chunk ids a content item has vectors for, and
//! deleting vectors by chunk id.

use chroma::types::{IncludeList, Key};
use coachai_common::CreatorId;
use uuid::Uuid;

use super::VectorStore;
use super::error::VectorError;
use super::records::keys;

/// Ids read per request.
const PAGE: u32 = 1000;

impl VectorStore {
    /// The chunk ids of every vector of `content_id` in the creator's collection (none when the
    /// collection does not exist).
    pub async fn chunk_ids(
        &self,
        creator: CreatorId,
        content_id: Uuid,
    ) -> Result<Vec<Uuid>, VectorError> {
        let Some(collection) = self.existing(creator).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        loop {
            let offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
            let filter = Key::field(keys::CONTENT_ID).eq(content_id.to_string());
            let call = async {
                Ok(collection
                    .get(
                        None,
                        Some(filter),
                        Some(PAGE),
                        Some(offset),
                        Some(IncludeList(vec![])),
                    )
                    .await?)
            };
            let page = match self.bounded("get", call).await {
                Ok(page) => page,
                Err(failure) => return self.after_missing(creator, failure, Vec::new()).await,
            };
            let count = page.ids.len();
            for id in page.ids {
                out.push(Uuid::parse_str(&id).map_err(|e| {
                    VectorError::Unexpected(format!("a vector id is not a chunk id: {e}"))
                })?);
            }
            if count < PAGE as usize {
                return Ok(out);
            }
        }
    }

    /// Deletes the vectors of the chunks `ids` (ids without a vector are ignored).
    pub async fn delete_ids(&self, creator: CreatorId, ids: &[Uuid]) -> Result<(), VectorError> {
        if ids.is_empty() {
            return Ok(());
        }
        let Some(collection) = self.existing(creator).await? else {
            return Ok(());
        };
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let call = async {
            collection.delete(Some(ids), None, None).await?;
            Ok(())
        };
        match self.bounded("delete", call).await {
            Ok(()) => Ok(()),
            Err(failure) => self.after_missing(creator, failure, ()).await,
        }
    }
}
