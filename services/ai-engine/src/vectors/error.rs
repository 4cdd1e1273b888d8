//! [`VectorError`]: every way a vector-store call fails, split so the engine can tell "ChromaDB
//! is unavailable, retrieve by PostgreSQL full-text instead" from a request Chroma refused.

use chroma::client::ChromaHttpClientError;
use coachai_common::AppError;
use reqwest_chroma::StatusCode;

/// Errors of the per-creator vector store.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    /// ChromaDB did not answer in time, refused the connection or failed on its side (5xx, 429).
    /// Retrieval should degrade to PostgreSQL full-text search; writes should be retried later.
    #[error("ChromaDB is unavailable: {0}")]
    Unavailable(String),
    /// ChromaDB refused the request itself (for example an embedding whose dimension differs
    /// from the collection's, or a malformed filter); retrying the same request cannot succeed.
    #[error("ChromaDB rejected the request: {0}")]
    Rejected(String),
    /// The configured `chroma_url` is not a URL.
    #[error("the ChromaDB URL {url:?} is invalid: {reason}")]
    InvalidUrl {
        /// The configured value.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// ChromaDB answered something this client does not understand (a bug or a version skew).
    #[error("ChromaDB answered unexpectedly: {0}")]
    Unexpected(String),
}

impl VectorError {
    /// True when the caller should fall back (full-text retrieval) or retry later, rather than
    /// report a failure.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// The error for a call that outlived the store's request timeout.
    pub(crate) fn timed_out(operation: &str, timeout: std::time::Duration) -> Self {
        Self::Unavailable(format!(
            "{operation} took longer than {} ms",
            timeout.as_millis()
        ))
    }
}

/// What a Chroma client error means for us: a missing collection, or a [`VectorError`].
#[derive(Debug)]
pub(crate) enum Failure {
    /// The collection (or the record's collection) does not exist.
    Missing,
    /// Anything else.
    Error(VectorError),
}

impl From<ChromaHttpClientError> for Failure {
    fn from(err: ChromaHttpClientError) -> Self {
        match err {
            ChromaHttpClientError::ApiError(message, status) => classify_status(message, status),
            ChromaHttpClientError::RequestError(err) => {
                Self::Error(VectorError::Unavailable(err.to_string()))
            }
            ChromaHttpClientError::NoBackendAvailable => Self::Error(VectorError::Unavailable(
                "no ChromaDB backend answers".into(),
            )),
            ChromaHttpClientError::ValidationError(_)
            | ChromaHttpClientError::InvalidWhere
            | ChromaHttpClientError::MissingEmbeddingFunction
            | ChromaHttpClientError::MissingDocumentsForEmbedding => {
                Self::Error(VectorError::Rejected(err.to_string()))
            }
            ChromaHttpClientError::SerdeError(_)
            | ChromaHttpClientError::CouldNotResolveDatabaseId(_)
            | ChromaHttpClientError::EmbeddingFunctionError(_) => {
                Self::Error(VectorError::Unexpected(err.to_string()))
            }
        }
    }
}

fn classify_status(message: String, status: StatusCode) -> Failure {
    let detail = format!("{message} ({status})");
    if status == StatusCode::NOT_FOUND {
        Failure::Missing
    } else if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        Failure::Error(VectorError::Unavailable(detail))
    } else if status.is_client_error() {
        Failure::Error(VectorError::Rejected(detail))
    } else {
        Failure::Error(VectorError::Unexpected(detail))
    }
}

impl From<ChromaHttpClientError> for VectorError {
    fn from(err: ChromaHttpClientError) -> Self {
        match Failure::from(err) {
            Failure::Missing => Self::Rejected("the creator's collection does not exist".into()),
            Failure::Error(err) => err,
        }
    }
}

impl From<VectorError> for AppError {
    fn from(err: VectorError) -> Self {
        match err {
            VectorError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "vector store unavailable");
                AppError::Unavailable("the vector store is unavailable, retry later".into())
            }
            VectorError::Rejected(cause) => {
                AppError::BadRequest(format!("the vector store rejected the request: {cause}"))
            }
            other @ (VectorError::InvalidUrl { .. } | VectorError::Unexpected(_)) => {
                AppError::internal(other)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_and_throttling_mean_unavailable() {
        for status in [
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::TOO_MANY_REQUESTS,
        ] {
            let err = VectorError::from(ChromaHttpClientError::ApiError("x".into(), status));
            assert!(
                err.is_unavailable(),
                "{status} should be unavailable, got {err:?}"
            );
        }
    }

    #[test]
    fn a_dimension_mismatch_is_a_rejected_request_answered_400() {
        let err = VectorError::from(ChromaHttpClientError::ApiError(
            "Collection expecting embedding with dimension of 4, got 3".into(),
            StatusCode::BAD_REQUEST,
        ));
        assert!(matches!(err, VectorError::Rejected(_)), "{err:?}");
        assert_eq!(AppError::from(err).status(), 400);
    }

    #[test]
    fn unavailable_becomes_a_503_without_the_cause() {
        let app = AppError::from(VectorError::Unavailable("connect 10.0.0.7:8000".into()));
        assert_eq!(app.status(), 503);
        assert!(!app.problem().detail.contains("10.0.0.7"));
    }
}
