//! The messaging module's failures and their problem+json statuses.

use coachai_common::AppError;

use super::crypto::CryptoError;
use super::signing::SignatureError;

/// Every way a messaging request or job can fail.
#[derive(Debug, thiserror::Error)]
pub enum MessagingError {
    /// `CHANNEL_SECRETS_KEY` is not configured (503).
    #[error("messaging channels are not configured on this server (CHANNEL_SECRETS_KEY)")]
    NotConfigured,
    /// A sealed secret does not open (500, logged).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A webhook's signature or secret token is wrong (401).
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// A webhook request's credential is wrong or replayed (401).
    #[error("{0}")]
    Unauthorized(String),
    /// No such integration or delivery for this creator (404).
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be used as sent (400).
    #[error("{0}")]
    Invalid(String),
    /// Redis, needed for replay protection, is unavailable (503).
    #[error("replay protection is unavailable: {0}")]
    Redis(String),
    /// PostgreSQL failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// A shared building block failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<MessagingError> for AppError {
    fn from(e: MessagingError) -> Self {
        match e {
            MessagingError::NotConfigured | MessagingError::Redis(_) => {
                AppError::Unavailable(e.to_string())
            }
            MessagingError::Crypto(_) => AppError::Internal(e.to_string()),
            MessagingError::Signature(_) | MessagingError::Unauthorized(_) => {
                AppError::Unauthorized(e.to_string())
            }
            MessagingError::NotFound(m) => AppError::NotFound(m),
            MessagingError::Invalid(m) => AppError::BadRequest(m),
            MessagingError::Db(e) => AppError::from(e),
            MessagingError::App(e) => e,
        }
    }
}

impl From<redis::RedisError> for MessagingError {
    fn from(e: redis::RedisError) -> Self {
        Self::Redis(e.to_string())
    }
}

impl From<deadpool_redis::PoolError> for MessagingError {
    fn from(e: deadpool_redis::PoolError) -> Self {
        Self::Redis(e.to_string())
    }
}
