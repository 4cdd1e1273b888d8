//! `delete` jobs: remove the vectors of the content whose chunks no longer exist. The vector
//! ids are read first and the chunk ids second; chunk ids are never reused, so a vector whose
//! chunk is missing at the second read can never be needed again, and a vector stored after the
//! first read is not touched.

use coachai_ingestion::Claim;

use super::chunks;
use super::{StepError, Worker};

impl Worker {
    /// Deletes the content's vectors without a chunk, then completes the job.
    pub(super) async fn sweep(&self, claim: &Claim) -> Result<(), StepError> {
        let stored = self
            .vectors
            .chunk_ids(claim.creator(), claim.content_id())
            .await?;
        let mut tx = self.db.begin_for(claim.creator()).await?;
        let kept = chunks::chunk_ids(&mut tx, claim.content_id()).await?;
        let gone: Vec<_> = stored.into_iter().filter(|id| !kept.contains(id)).collect();
        self.vectors.delete_ids(claim.creator(), &gone).await?;
        coachai_ingestion::complete(&mut tx, claim).await?;
        tx.commit().await?;
        Ok(())
    }
}
