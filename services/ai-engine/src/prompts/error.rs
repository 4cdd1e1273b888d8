//! [`PromptError`]: every way a prompt template request fails, mapped onto problem+json.

use coachai_common::cache::CacheError;
use coachai_common::{AppError, FieldError};

use super::render::TemplateError;

/// Why a prompt template could not be read, saved or rendered.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The creator has no template of this name (and there is no default of it).
    #[error("there is no prompt template named `{0}`")]
    UnknownTemplate(String),
    /// The template has no such version.
    #[error("prompt template `{name}` has no version {version}")]
    UnknownVersion {
        /// The template.
        name: String,
        /// The version asked for.
        version: i32,
    },
    /// The creator already overrides this template; new bodies are new versions.
    #[error("prompt template `{0}` already exists; add a version with POST /prompts/{0}/versions")]
    AlreadyExists(String),
    /// A body given by the caller cannot be used (it does not parse, or a preview fails).
    #[error("{0}")]
    Invalid(TemplateError),
    /// Not even the built-in template rendered: a bug, never the caller's fault.
    #[error("no version of prompt template `{name}` rendered: {cause}")]
    NoUsableTemplate {
        /// The template.
        name: String,
        /// The last failure.
        cause: TemplateError,
    },
    /// The database, the cache or the request failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for PromptError {
    fn from(err: sqlx::Error) -> Self {
        Self::App(AppError::from(err))
    }
}

impl From<CacheError> for PromptError {
    fn from(err: CacheError) -> Self {
        Self::App(AppError::from(err))
    }
}

impl From<PromptError> for AppError {
    fn from(err: PromptError) -> Self {
        match err {
            PromptError::UnknownTemplate(_) | PromptError::UnknownVersion { .. } => {
                AppError::NotFound(err.to_string())
            }
            PromptError::AlreadyExists(_) => AppError::Conflict(err.to_string()),
            PromptError::Invalid(cause) => AppError::Validation(vec![FieldError {
                field: "body".into(),
                message: cause.to_string(),
            }]),
            PromptError::NoUsableTemplate { .. } => AppError::internal(err),
            PromptError::App(app) => app,
        }
    }
}
