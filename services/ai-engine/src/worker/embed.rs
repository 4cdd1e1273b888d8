//! `embed` jobs: the chunks of the job's version, batch by batch, through Ollama into the
//! creator's collection; completing the job makes the content `ready` (or swaps its new version
//! in) in the same transaction as nothing else, so a crash between batches only repeats upserts.

use coachai_ingestion::Claim;

use super::chunks::{self, ChunkRow};
use super::{StepError, Worker};
use crate::vectors::ChunkVector;

impl Worker {
    /// Embeds every chunk of the claimed version, then completes the job.
    pub(super) async fn embed(&self, claim: &Claim) -> Result<(), StepError> {
        let (version, model) = self.begin_embed(claim).await?;
        let mut after = -1;
        loop {
            let batch = self.read_batch(claim, version, after).await?;
            let Some(last) = batch.last() else { break };
            after = last.chunk_index;
            self.store_batch(claim, version, &model, batch).await?;
            coachai_ingestion::heartbeat(&self.db, claim, self.options.lease).await?;
        }
        let mut tx = self.db.begin_for(claim.creator()).await?;
        coachai_ingestion::complete(&mut tx, claim).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The version to embed and the creator's embedding model; the item shows `processing`.
    async fn begin_embed(&self, claim: &Claim) -> Result<(i32, String), StepError> {
        let mut tx = self.db.begin_for(claim.creator()).await?;
        let version = coachai_ingestion::chunk_version(&mut tx, claim).await?;
        let model = chunks::embedding_model(&mut tx).await?;
        chunks::mark_processing(&mut tx, claim.content_id()).await?;
        tx.commit().await?;
        Ok((version, model))
    }

    async fn read_batch(
        &self,
        claim: &Claim,
        version: i32,
        after: i32,
    ) -> Result<Vec<ChunkRow>, StepError> {
        let mut tx = self.db.begin_for(claim.creator()).await?;
        let rows = chunks::next_batch(
            &mut tx,
            claim.content_id(),
            version,
            after,
            self.options.batch,
        )
        .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Embeds one batch, stores its vectors and records the chunks' progress.
    async fn store_batch(
        &self,
        claim: &Claim,
        version: i32,
        model: &str,
        batch: Vec<ChunkRow>,
    ) -> Result<(), StepError> {
        let texts = batch.iter().map(|c| c.body.clone()).collect();
        let embeddings = self.ollama.embed(model, texts).await?;
        let ids: Vec<_> = batch.iter().map(|c| c.id).collect();
        let records: Vec<ChunkVector> = batch
            .into_iter()
            .zip(embeddings)
            .map(|(chunk, embedding)| ChunkVector {
                chunk_id: chunk.id,
                content_id: claim.content_id(),
                version,
                index: chunk.chunk_index,
                location: chunk.location,
                embedding,
                text: None,
            })
            .collect();
        self.vectors
            .upsert_chunks(claim.creator(), &records)
            .await?;
        let mut tx = self.db.begin_for(claim.creator()).await?;
        chunks::mark_embedded(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(())
    }
}
