//! One error type for every HTTP handler, rendered as RFC 9457 `application/problem+json`.
//!
//! Client errors say what to fix; internal errors are logged with their cause and answered with
//! a generic body so no stack trace or SQL ever reaches a client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Base of the stable `type` URIs of our problems.
const TYPE_BASE: &str = "https://coachai.dev/problems/";

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// JSON path of the field, e.g. `email` or `quotas.documents`.
    pub field: String,
    /// What is wrong with it, in words a client developer can act on.
    pub message: String,
}

/// Every way a request can fail, each mapped to one HTTP status and problem `type`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed (bad JSON syntax, bad query string).
    #[error("{0}")]
    BadRequest(String),
    /// The body parsed but its fields are invalid.
    #[error("request body is invalid")]
    Validation(Vec<FieldError>),
    /// Missing, malformed, expired or forged credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The route exists but not with this HTTP method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Absent, or belongs to another tenant (never revealed).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with existing state (duplicate, stale version).
    #[error("{0}")]
    Conflict(String),
    /// The body exceeds the endpoint's size limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is not in a media type the endpoint accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many requests; retry after the given number of seconds.
    #[error("too many requests, retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Seconds until the client may retry.
        retry_after_secs: u64,
    },
    /// A required dependency is unavailable; the client may retry later.
    #[error("{0}")]
    Unavailable(String),
    /// The service is at capacity for this kind of work; retry after the given seconds.
    #[error("the service is busy, retry in {retry_after_secs} s")]
    Overloaded {
        /// Seconds until the client may retry.
        retry_after_secs: u64,
    },
    /// A bug or an unexpected failure; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The serialized problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What happened and what to fix.
    pub detail: String,
    /// Per-field errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl AppError {
    /// Shorthand for an internal error from any displayable cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad-request",
            Self::Validation(_) => "validation",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not-found",
            Self::MethodNotAllowed(_) => "method-not-allowed",
            Self::Conflict(_) => "conflict",
            Self::PayloadTooLarge(_) => "payload-too-large",
            Self::UnsupportedMediaType(_) => "unsupported-media-type",
            Self::TooManyRequests { .. } => "rate-limited",
            Self::Unavailable(_) => "unavailable",
            Self::Overloaded { .. } => "overloaded",
            Self::Internal(_) => "internal",
        }
    }

    /// Builds the problem document a client receives.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let detail = match self {
            Self::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            Self::Validation(errors) if errors.len() == 1 => {
                format!("{}: {}", errors[0].field, errors[0].message)
            }
            other => other.to_string(),
        };
        let errors = match self {
            Self::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            kind: format!("{TYPE_BASE}{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %cause, "internal error");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (self.status(), body).into_response();
        self.decorate(response.headers_mut());
        response
    }
}

impl AppError {
    /// Sets the problem media type and the headers some statuses require.
    fn decorate(&self, headers: &mut axum::http::HeaderMap) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            Self::TooManyRequests { retry_after_secs } | Self::Overloaded { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        crate::db::classify(err)
    }
}

impl From<garde::Report> for AppError {
    fn from(report: garde::Report) -> Self {
        let errors = report
            .iter()
            .map(|(path, error)| FieldError {
                field: path.to_string(),
                message: error.message().to_string(),
            })
            .collect();
        Self::Validation(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let problem = AppError::internal("password=hunter2 in SQL").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("hunter2"));
    }

    #[test]
    fn validation_problem_lists_fields() {
        let err = AppError::Validation(vec![FieldError {
            field: "email".into(),
            message: "not an email".into(),
        }]);
        let problem = err.problem();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.kind, "https://coachai.dev/problems/validation");
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.detail, "email: not an email");
    }

    #[test]
    fn rate_limited_response_carries_retry_after() {
        let response = AppError::TooManyRequests {
            retry_after_secs: 7,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
    }

    #[test]
    fn overloaded_response_is_503_with_retry_after() {
        let response = AppError::Overloaded {
            retry_after_secs: 1,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
