//! Quotas enforced on upload: the creator row is locked first, so two uploads of one creator
//! decide one after the other and cannot both take the last slot.

use coachai_common::{AppError, TenantTx};
use serde_json::Value;
use sqlx::types::Json;

use crate::models::profile::{Quotas, Usage};
use crate::store::profile::quotas;

/// An upload that would exceed a quota.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QuotaError {
    /// The document count is at its limit.
    #[error(
        "the document quota is {limit} items and {used} are stored; delete some to upload more"
    )]
    Documents {
        /// The quota.
        limit: i64,
        /// Items stored now.
        used: i64,
    },
    /// The upload does not fit into the storage left.
    #[error(
        "the storage quota is {limit} bytes and {used} are used; this upload of {adding} bytes \
         does not fit"
    )]
    Storage {
        /// The quota in bytes.
        limit: i64,
        /// Bytes stored now.
        used: i64,
        /// Bytes of the upload.
        adding: i64,
    },
}

impl From<QuotaError> for AppError {
    fn from(err: QuotaError) -> Self {
        match err {
            QuotaError::Documents { .. } => AppError::Conflict(err.to_string()),
            QuotaError::Storage { .. } => AppError::PayloadTooLarge(err.to_string()),
        }
    }
}

/// Whether one more item of `adding` bytes fits (the document count is checked first).
pub fn admit(quotas: &Quotas, usage: &Usage, adding: i64) -> Result<(), QuotaError> {
    if usage.documents >= quotas.documents {
        return Err(QuotaError::Documents {
            limit: quotas.documents,
            used: usage.documents,
        });
    }
    admit_bytes(quotas, usage, adding)
}

/// Whether `adding` more bytes fit the storage quota (a new version adds no document).
pub fn admit_bytes(quotas: &Quotas, usage: &Usage, adding: i64) -> Result<(), QuotaError> {
    if usage.storage_bytes.saturating_add(adding) > quotas.storage_bytes {
        return Err(QuotaError::Storage {
            limit: quotas.storage_bytes,
            used: usage.storage_bytes,
            adding,
        });
    }
    Ok(())
}

/// Locks the creator row for the rest of `tx` and checks that one more item of `adding` bytes
/// fits its quotas.
pub async fn reserve(tx: &mut TenantTx, adding: i64) -> Result<(), AppError> {
    let (quotas, usage) = lock_usage(tx).await?;
    admit(&quotas, &usage, adding)?;
    Ok(())
}

/// Locks the creator row for the rest of `tx` and checks that a new version of `adding` bytes
/// fits the storage quota once the `freeing` bytes it replaces (a pending version's) are gone.
/// The live version keeps counting until the new one replaces it.
pub async fn reserve_version(tx: &mut TenantTx, adding: i64, freeing: i64) -> Result<(), AppError> {
    let (quotas, mut usage) = lock_usage(tx).await?;
    usage.storage_bytes = usage.storage_bytes.saturating_sub(freeing);
    admit_bytes(&quotas, &usage, adding)?;
    Ok(())
}

/// The quotas and usage, read after locking the creator row. Storage counts the sources of the
/// live versions and of the pending ones: both are stored until a swap.
async fn lock_usage(tx: &mut TenantTx) -> Result<(Quotas, Usage), AppError> {
    let stored: Option<Json<Value>> = sqlx::query_scalar("SELECT quotas FROM creators FOR UPDATE")
        .fetch_optional(tx.conn())
        .await?;
    let stored = stored.ok_or_else(coachai_common::scoped::no_such_creator)?;
    let (documents, storage_bytes): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(size_bytes + coalesce(pending_size_bytes, 0)), 0)::bigint
           FROM content_items",
    )
    .fetch_one(tx.conn())
    .await?;
    let usage = Usage {
        storage_bytes,
        documents,
    };
    Ok((quotas(&stored.0), usage))
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTAS: Quotas = Quotas {
        requests_per_minute: 60,
        storage_bytes: 1000,
        documents: 2,
    };

    #[test]
    fn the_last_slot_and_the_last_byte_can_be_taken() {
        let usage = Usage {
            storage_bytes: 900,
            documents: 1,
        };
        assert_eq!(admit(&QUOTAS, &usage, 100), Ok(()));
    }

    #[test]
    fn a_full_library_or_a_byte_too_many_is_refused_with_the_figures() {
        let full = Usage {
            storage_bytes: 0,
            documents: 2,
        };
        assert_eq!(
            admit(&QUOTAS, &full, 1),
            Err(QuotaError::Documents { limit: 2, used: 2 })
        );
        let used = Usage {
            storage_bytes: 900,
            documents: 0,
        };
        let err = admit(&QUOTAS, &used, 101).unwrap_err();
        assert!(
            err.to_string().contains("1000 bytes and 900 are used"),
            "{err}"
        );
    }
}
