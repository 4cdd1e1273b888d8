//! The isolation canary: every non-empty creator collection carries one record naming its
//! owner, so reading the canaries through a creator's own path (the path every engine call
//! takes) shows which collections that path reaches. Anything but the creator itself means its
//! path reaches another creator's vectors. Canaries are never search hits (see `records`).

use chroma::ChromaCollection;
use chroma::types::{
    Include, IncludeList, Key, MetadataValue, UpdateMetadata, UpdateMetadataValue,
};
use coachai_common::CreatorId;
use uuid::Uuid;

use super::VectorStore;
use super::error::{Failure, VectorError};
use super::records::keys;

/// The value of [`keys::CANARY`] on every canary record.
const CANARY_KIND: &str = "isolation";
/// More canaries than this in one collection are not read (one is expected).
const CANARIES_READ: u32 = 100;

/// The record id of the creator's canary (not a UUID, so it cannot collide with a chunk id).
pub fn canary_id(creator: CreatorId) -> String {
    format!("canary_{}", creator.0.simple())
}

impl VectorStore {
    /// Stores the creator's canary unless its collection is empty (nothing to leak, and the
    /// first record fixes the collection's dimension) or already holds it. The canary's
    /// embedding has the dimension of the collection's records.
    pub async fn place_canary(&self, creator: CreatorId) -> Result<(), VectorError> {
        let Some(collection) = self.existing(creator).await? else {
            return Ok(());
        };
        match self.bounded("canary", place(&collection, creator)).await {
            Ok(()) => Ok(()),
            Err(failure) => self.after_missing(creator, failure, ()).await,
        }
    }

    /// The owners of every canary the creator's own path reaches, in no particular order:
    /// `[creator]` or nothing (an empty collection) when creators are kept apart.
    pub async fn canary_owners(&self, creator: CreatorId) -> Result<Vec<CreatorId>, VectorError> {
        let Some(collection) = self.existing(creator).await? else {
            return Ok(Vec::new());
        };
        let filter = Key::field(keys::CANARY).eq(CANARY_KIND);
        let include = IncludeList(vec![Include::Metadata]);
        let read = async {
            Ok(collection
                .get(None, Some(filter), Some(CANARIES_READ), None, Some(include))
                .await?)
        };
        let found = match self.bounded("canary read", read).await {
            Ok(found) => found,
            Err(failure) => return self.after_missing(creator, failure, Vec::new()).await,
        };
        let metadatas = found.metadatas.unwrap_or_default();
        found
            .ids
            .iter()
            .zip(metadatas.into_iter().chain(std::iter::repeat(None)))
            .map(|(id, metadata)| owner(id, metadata.as_ref()))
            .collect()
    }
}

fn owner(id: &str, metadata: Option<&chroma::types::Metadata>) -> Result<CreatorId, VectorError> {
    match metadata.and_then(|m| m.get(keys::CREATOR_ID)) {
        Some(MetadataValue::Str(value)) => value.parse::<Uuid>().map(CreatorId).map_err(|_| {
            VectorError::Unexpected(format!("canary {id}: {value:?} is not a creator id"))
        }),
        _ => Err(VectorError::Unexpected(format!(
            "canary {id} names no creator"
        ))),
    }
}

async fn place(collection: &ChromaCollection, creator: CreatorId) -> Result<(), Failure> {
    let id = canary_id(creator);
    let none = || Some(IncludeList(vec![]));
    let found = collection
        .get(Some(vec![id.clone()]), None, None, None, none())
        .await?;
    if !found.ids.is_empty() {
        return Ok(());
    }
    let embedded = Some(IncludeList(vec![Include::Embedding]));
    let sample = collection.get(None, None, Some(1), None, embedded).await?;
    let dimension = sample
        .embeddings
        .and_then(|e| e.into_iter().next())
        .map_or(0, |e| e.len());
    if dimension == 0 {
        return Ok(());
    }
    let metadata = UpdateMetadata::from([
        (
            keys::CANARY.into(),
            UpdateMetadataValue::Str(CANARY_KIND.into()),
        ),
        (
            keys::CREATOR_ID.into(),
            UpdateMetadataValue::Str(creator.to_string()),
        ),
    ]);
    let mut embedding = vec![0.0_f32; dimension];
    if let Some(first) = embedding.first_mut() {
        *first = 1.0;
    }
    collection
        .upsert(
            vec![id],
            vec![embedding],
            None,
            None,
            Some(vec![Some(metadata)]),
        )
        .await?;
    Ok(())
}
