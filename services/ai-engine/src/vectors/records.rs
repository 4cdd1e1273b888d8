//! What the vector store keeps per chunk, and how it maps to Chroma records: the id is the
//! chunk id, the metadata carries the chunk's content, version, index and location, and the
//! collection name is derived from the creator alone.

use chroma::types::{Metadata, MetadataValue, QueryResponse, UpdateMetadata, UpdateMetadataValue};
use coachai_common::CreatorId;
use serde_json::Value;
use uuid::Uuid;

use super::error::VectorError;

/// Metadata keys of every record (also the keys `where` filters use).
pub(crate) mod keys {
    /// The content item the chunk belongs to (UUID text).
    pub const CONTENT_ID: &str = "content_id";
    /// The chunk itself (UUID text; equal to the record id).
    pub const CHUNK_ID: &str = "chunk_id";
    /// The content version the chunk was cut from.
    pub const VERSION: &str = "version";
    /// The chunk's position within its version.
    pub const INDEX: &str = "index";
    /// Where the chunk sits in its source, as JSON text.
    pub const LOCATION: &str = "location";
    /// Present (`"isolation"`) on the isolation canary only, never on a chunk.
    pub const CANARY: &str = "canary";
    /// The creator a canary belongs to (UUID text).
    pub const CREATOR_ID: &str = "creator_id";
}

/// The name of a creator's collection: `creator_` and the id without hyphens (40 characters of
/// `[a-z0-9_]`, a valid Chroma name). Nothing but the creator id goes into it.
pub fn collection_name(creator: CreatorId) -> String {
    format!("creator_{}", creator.0.simple())
}

/// One embedded chunk to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkVector {
    /// The chunk's id; upserting the same id again replaces the record.
    pub chunk_id: Uuid,
    /// The content item the chunk belongs to.
    pub content_id: Uuid,
    /// The content version the chunk was cut from.
    pub version: i32,
    /// The chunk's position within its version.
    pub index: i32,
    /// Where the chunk sits in its source (page, heading, offsets), kept as given.
    pub location: Value,
    /// The embedding; every vector of a creator must have the same dimension.
    pub embedding: Vec<f32>,
    /// The chunk's text, stored as the record's document when given.
    pub text: Option<String>,
}

/// One chunk found by a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The chunk's id.
    pub chunk_id: Uuid,
    /// The content item the chunk belongs to.
    pub content_id: Uuid,
    /// The content version the chunk was cut from.
    pub version: i32,
    /// Cosine similarity to the query, `1 - cosine distance` (1 for the same direction).
    pub score: f32,
    /// Where the chunk sits in its source, as it was stored.
    pub location: Value,
}

impl ChunkVector {
    /// The record's metadata.
    pub(crate) fn metadata(&self) -> UpdateMetadata {
        UpdateMetadata::from([
            (
                keys::CONTENT_ID.into(),
                UpdateMetadataValue::Str(self.content_id.to_string()),
            ),
            (
                keys::CHUNK_ID.into(),
                UpdateMetadataValue::Str(self.chunk_id.to_string()),
            ),
            (
                keys::VERSION.into(),
                UpdateMetadataValue::Int(self.version.into()),
            ),
            (
                keys::INDEX.into(),
                UpdateMetadataValue::Int(self.index.into()),
            ),
            (
                keys::LOCATION.into(),
                UpdateMetadataValue::Str(self.location.to_string()),
            ),
        ])
    }
}

/// The hits of the first (only) query of `response` whose score reaches `min_score`, best first,
/// at most `top_k`; the isolation canary is never a hit.
pub(crate) fn hits(
    response: QueryResponse,
    top_k: u32,
    min_score: f32,
) -> Result<Vec<Hit>, VectorError> {
    let ids = response.ids.into_iter().next().unwrap_or_default();
    let distances = response
        .distances
        .and_then(|d| d.into_iter().next())
        .unwrap_or_default();
    let metadatas = response
        .metadatas
        .and_then(|m| m.into_iter().next())
        .unwrap_or_default();
    let mut found = Vec::with_capacity(ids.len());
    let chunks = ids
        .iter()
        .zip(distances)
        .zip(metadatas)
        .filter(|(_, metadata)| {
            !metadata
                .as_ref()
                .is_some_and(|m| m.contains_key(keys::CANARY))
        });
    for ((id, distance), metadata) in chunks.take(usize::try_from(top_k).unwrap_or(usize::MAX)) {
        let score = 1.0 - distance.ok_or_else(|| missing(id, "distance"))?;
        if score >= min_score {
            found.push(hit(id, score, metadata.as_ref())?);
        }
    }
    Ok(found)
}

fn hit(id: &str, score: f32, metadata: Option<&Metadata>) -> Result<Hit, VectorError> {
    let metadata = metadata.ok_or_else(|| missing(id, "metadata"))?;
    let location = text(id, metadata, keys::LOCATION)?;
    Ok(Hit {
        chunk_id: uuid(id, id)?,
        content_id: uuid(id, text(id, metadata, keys::CONTENT_ID)?)?,
        version: int(id, metadata, keys::VERSION)?,
        score,
        location: serde_json::from_str(location)
            .map_err(|err| VectorError::Unexpected(format!("record {id}: location: {err}")))?,
    })
}

fn text<'m>(id: &str, metadata: &'m Metadata, key: &str) -> Result<&'m str, VectorError> {
    match metadata.get(key) {
        Some(MetadataValue::Str(value)) => Ok(value),
        _ => Err(missing(id, key)),
    }
}

fn int(id: &str, metadata: &Metadata, key: &str) -> Result<i32, VectorError> {
    match metadata.get(key) {
        Some(MetadataValue::Int(value)) => i32::try_from(*value).map_err(|_| missing(id, key)),
        _ => Err(missing(id, key)),
    }
}

fn uuid(id: &str, value: &str) -> Result<Uuid, VectorError> {
    value
        .parse()
        .map_err(|_| VectorError::Unexpected(format!("record {id}: {value:?} is not a UUID")))
}

fn missing(id: &str, what: &str) -> VectorError {
    VectorError::Unexpected(format!("record {id} has no valid {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_name_is_the_creator_id_without_hyphens() {
        let creator = CreatorId(Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef));
        assert_eq!(
            collection_name(creator),
            "creator_0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn metadata_carries_ids_version_index_and_location_as_json_text() {
        let chunk = ChunkVector {
            chunk_id: Uuid::nil(),
            content_id: Uuid::max(),
            version: 3,
            index: 7,
            location: serde_json::json!({"page": 2}),
            embedding: vec![1.0],
            text: None,
        };
        let metadata = chunk.metadata();
        assert_eq!(metadata[keys::VERSION], UpdateMetadataValue::Int(3));
        assert_eq!(metadata[keys::INDEX], UpdateMetadataValue::Int(7));
        assert_eq!(
            metadata[keys::LOCATION],
            UpdateMetadataValue::Str(r#"{"page":2}"#.into())
        );
        assert_eq!(
            metadata[keys::CONTENT_ID],
            UpdateMetadataValue::Str(Uuid::max().to_string())
        );
    }
}
