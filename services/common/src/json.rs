//! `ApiJson<T>`: the JSON body extractor of every endpoint.
//!
//! It turns each way a body can be wrong into a problem response a client can act on: wrong
//! content type (415), bad syntax (400), unknown or mistyped fields (422, when the model uses
//! `#[serde(deny_unknown_fields)]`), a body over the limit (413) — and then runs the model's
//! `garde` validation (422 with field errors).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A validated JSON request body, or a JSON response body.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned + garde::Validate,
    <T as garde::Validate>::Context: Default,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state)
            .await
            .map_err(rejection_to_error)?;
        value.validate()?;
        Ok(Self(value))
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Maps axum's JSON rejections onto problem responses.
pub fn rejection_to_error(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
            "expected a request body with `Content-Type: application/json`".into(),
        ),
        JsonRejection::JsonSyntaxError(err) => AppError::BadRequest(format!(
            "request body is not valid JSON: {}",
            source_of(&err)
        )),
        JsonRejection::JsonDataError(err) => data_error(&source_of(&err)),
        JsonRejection::BytesRejection(err) if err.status().as_u16() == 413 => {
            AppError::PayloadTooLarge("request body is larger than this endpoint accepts".into())
        }
        other => AppError::BadRequest(format!("could not read the request body: {other}")),
    }
}

fn source_of(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text = inner.to_string();
        source = inner.source();
    }
    text
}

/// serde's data errors read like `body.email: unknown field ...`; keep the field when present.
fn data_error(message: &str) -> AppError {
    let (field, message) = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') => (path.to_owned(), rest.to_owned()),
        _ => ("body".to_owned(), message.to_owned()),
    };
    AppError::Validation(vec![FieldError { field, message }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request as HttpRequest, StatusCode};
    use serde::Deserialize;

    #[derive(Debug, Deserialize, garde::Validate)]
    #[serde(deny_unknown_fields)]
    struct SignUp {
        #[garde(email)]
        email: String,
    }

    async fn extract(content_type: Option<&str>, body: &str) -> Result<SignUp, StatusCode> {
        let mut builder = HttpRequest::post("/");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        let req = builder.body(Body::from(body.to_owned())).unwrap();
        ApiJson::<SignUp>::from_request(req, &())
            .await
            .map(|ApiJson(v)| v)
            .map_err(|e| e.status())
    }

    #[tokio::test]
    async fn wrong_content_type_is_415() {
        let got = extract(Some("text/plain"), r#"{"email":"a@b.co"}"#).await;
        assert_eq!(got.unwrap_err(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn malformed_json_is_400() {
        let got = extract(Some("application/json"), r#"{"email":"#).await;
        assert_eq!(got.unwrap_err(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn unknown_fields_are_422() {
        let got = extract(
            Some("application/json"),
            r#"{"email":"a@b.co","admin":true}"#,
        )
        .await;
        assert_eq!(got.unwrap_err(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn invalid_email_is_422() {
        let got = extract(Some("application/json"), r#"{"email":"nope"}"#).await;
        assert_eq!(got.unwrap_err(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[tokio::test]
    async fn valid_body_is_accepted() {
        let got = extract(Some("application/json"), r#"{"email":"a@b.co"}"#).await;
        assert_eq!(got.unwrap().email, "a@b.co");
    }
}
