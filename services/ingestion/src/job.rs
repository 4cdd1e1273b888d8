//! The queue's vocabulary: job ids, job kinds and the claim a worker holds.

use std::fmt;
use std::str::FromStr;

use coachai_common::tenancy::CreatorId;
use uuid::Uuid;

use crate::error::QueueError;

/// The id of an ingestion job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub Uuid);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a job asks the AI Engine to do with one content item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Embed the content's chunks; completing it makes the content `ready`.
    Embed,
    /// Delete the content's vectors whose chunks no longer exist: all of them once the content
    /// is deleted, those of a replaced or dropped version otherwise. Vector ids are chunk ids and
    /// chunk ids are never reused, so the worker reads its vectors' ids first and the chunks
    /// second, and deletes only vectors whose chunk was already gone.
    Delete,
}

impl JobKind {
    /// The value stored in `ingestion_jobs.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Embed => "embed",
            Self::Delete => "delete",
        }
    }
}

impl FromStr for JobKind {
    type Err = QueueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "embed" => Ok(Self::Embed),
            "delete" => Ok(Self::Delete),
            other => Err(QueueError::UnknownKind(other.to_owned())),
        }
    }
}

/// A job claimed by one worker, holding a lease until it completes, fails or the lease expires.
///
/// Only [`crate::claim`] builds one, from what the claiming `SECURITY DEFINER` function returned:
/// ids, never content. The work itself runs in `creator()`'s tenant transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub(crate) job_id: JobId,
    pub(crate) creator_id: CreatorId,
    pub(crate) content_id: Uuid,
    pub(crate) kind: JobKind,
    pub(crate) attempt: u32,
    pub(crate) lease_token: Uuid,
}

impl Claim {
    /// The claimed job.
    pub fn job_id(&self) -> JobId {
        self.job_id
    }

    /// The tenant the job belongs to; open the work's `TenantTx` for it.
    pub fn creator(&self) -> CreatorId {
        self.creator_id
    }

    /// The content item to embed or whose vectors to delete.
    pub fn content_id(&self) -> Uuid {
        self.content_id
    }

    /// What to do.
    pub fn kind(&self) -> JobKind {
        self.kind
    }

    /// Which attempt this is, 1 for the first claim.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The token proving this claim still holds the lease.
    pub fn lease_token(&self) -> Uuid {
        self.lease_token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_stored_names() {
        for kind in [JobKind::Embed, JobKind::Delete] {
            assert_eq!(kind.as_str().parse::<JobKind>().ok(), Some(kind));
        }
        assert!(matches!(
            "reindex".parse::<JobKind>(),
            Err(QueueError::UnknownKind(k)) if k == "reindex"
        ));
    }
}
