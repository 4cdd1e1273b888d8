//! [`RegistryError`]: every way the registry fails, each mapped to one problem+json answer.

use coachai_common::AppError;
use coachai_common::cache::CacheError;

/// Why the registry could not answer.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Neither the wanted chat model nor the fallback is available (503: an admin can pull it).
    #[error("{}", unavailable_detail(.wanted, .fallback.as_deref()))]
    ModelUnavailable {
        /// The model the chat asked for.
        wanted: String,
        /// The configured fallback, if any.
        fallback: Option<String>,
    },
    /// Ollama did not answer, or answered with an error (503).
    #[error("Ollama is unavailable: {0}")]
    OllamaUnavailable(String),
    /// The configured Ollama URL is not an absolute http(s) URL.
    #[error("the Ollama URL `{0}` is not an absolute http(s) URL")]
    BadUrl(String),
    /// PostgreSQL failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// The cache failed in a way that is not "Redis is down" (that only skips the cache).
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A stored row holds a value this code does not know.
    #[error("corrupt registry row: {0}")]
    Corrupt(String),
}

fn unavailable_detail(wanted: &str, fallback: Option<&str>) -> String {
    match fallback {
        Some(fallback) => format!(
            "the chat model `{wanted}` is not available, nor is the fallback `{fallback}`; \
             an owner or admin can pull it (POST /api/v1/ai/models/pull)"
        ),
        None => format!(
            "the chat model `{wanted}` is not available and no fallback is configured; \
             an owner or admin can pull it (POST /api/v1/ai/models/pull)"
        ),
    }
}

impl From<RegistryError> for AppError {
    fn from(err: RegistryError) -> Self {
        match err {
            RegistryError::ModelUnavailable { .. } | RegistryError::OllamaUnavailable(_) => {
                AppError::Unavailable(err.to_string())
            }
            RegistryError::Db(e) => AppError::from(e),
            RegistryError::Cache(e) => AppError::from(e),
            RegistryError::BadUrl(_) | RegistryError::Corrupt(_) => AppError::internal(err),
        }
    }
}

impl From<ollama_rs::error::OllamaError> for RegistryError {
    fn from(err: ollama_rs::error::OllamaError) -> Self {
        Self::OllamaUnavailable(describe(&err))
    }
}

/// A one-line description of an ollama-rs failure, with the transport's cause when there is one.
pub(crate) fn describe(err: &ollama_rs::error::OllamaError) -> String {
    match err {
        ollama_rs::error::OllamaError::ReqwestError(e) => describe_reqwest(e),
        other => other.to_string(),
    }
}

/// A one-line description of an HTTP failure: what failed and its innermost cause.
pub(crate) fn describe_reqwest(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if err.is_timeout() {
        "it did not answer in time".to_owned()
    } else {
        format!("{err} ({cause})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_is_a_503_naming_the_model_and_the_fallback() {
        let problem = AppError::from(RegistryError::ModelUnavailable {
            wanted: "llama3.2:3b".into(),
            fallback: Some("smollm2:135m".into()),
        })
        .problem();
        assert_eq!(problem.status, 503);
        assert!(
            problem.detail.contains("`llama3.2:3b`"),
            "{}",
            problem.detail
        );
        assert!(
            problem.detail.contains("`smollm2:135m`"),
            "{}",
            problem.detail
        );
    }
}
