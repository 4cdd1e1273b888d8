//! The one error type of the queue, and how it maps onto [`AppError`] problems.

use coachai_common::AppError;

use crate::job::JobId;

/// Every way a queue operation can fail.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Another worker claimed the job after this claim's lease expired, or the job is no longer
    /// running. Nothing was changed; the worker must drop the job.
    #[error("the lease on ingestion job {job} was lost; another worker owns it now")]
    LeaseLost {
        /// The job whose lease was lost.
        job: JobId,
    },
    /// A claim was used in a transaction of another creator than the job's.
    #[error("ingestion job {job} belongs to another creator than this transaction's")]
    WrongTenant {
        /// The job of the claim.
        job: JobId,
    },
    /// The lease asked for is zero or does not fit in milliseconds.
    #[error("a lease must last between 1 ms and i64::MAX ms")]
    InvalidLease,
    /// The database returned a job kind this library does not know.
    #[error("unknown ingestion job kind {0:?}")]
    UnknownKind(String),
    /// A query failed.
    #[error("ingestion queue query failed: {0}")]
    Database(#[from] sqlx::Error),
    /// Opening or committing a tenant transaction failed.
    #[error(transparent)]
    Tenancy(#[from] AppError),
}

impl From<QueueError> for AppError {
    fn from(err: QueueError) -> Self {
        match err {
            QueueError::LeaseLost { .. } => AppError::Conflict(err.to_string()),
            QueueError::Database(e) => AppError::from(e),
            QueueError::Tenancy(e) => e,
            QueueError::WrongTenant { .. }
            | QueueError::InvalidLease
            | QueueError::UnknownKind(_) => AppError::internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_lost_lease_is_a_conflict_and_a_wrong_tenant_is_an_internal_error() {
        let job = JobId(Uuid::nil());
        let lost = AppError::from(QueueError::LeaseLost { job });
        assert_eq!(lost.status().as_u16(), 409);
        let wrong = AppError::from(QueueError::WrongTenant { job });
        assert_eq!(wrong.status().as_u16(), 500);
        assert!(!wrong.problem().detail.contains(&job.to_string()));
    }
}
