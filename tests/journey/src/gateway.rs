//! What the journey asks of the gateway besides the browser harness's seeding calls: file
//! uploads (multipart), stats, deletion, and probes that report how a request was answered —
//! status, media type and body — within a bound, so a hang is a failure and not a stuck suite.

use std::time::Duration;

use coachai_browser_tests::Creator;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use crate::error::JourneyError;

/// How long any one request through the gateway may take before it counts as a hang.
pub const REQUEST_BOUND: Duration = Duration::from_secs(20);

/// How a request was answered.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Method and path.
    pub call: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, empty when absent.
    pub content_type: String,
    /// The body, `Null` unless JSON.
    pub body: Value,
}

impl Probe {
    /// A success, or a failure a client can read: a 5xx `application/problem+json` document.
    pub fn is_clean(&self) -> bool {
        (200..300).contains(&self.status) || self.is_problem_5xx()
    }

    /// A 5xx answered as `application/problem+json` with the status in the body.
    pub fn is_problem_5xx(&self) -> bool {
        self.status >= 500
            && self.content_type.starts_with("application/problem+json")
            && self.body["status"].as_u64() == Some(u64::from(self.status))
    }
}

/// The public API behind the gateway.
#[derive(Debug, Clone)]
pub struct Gateway {
    base: String,
    http: reqwest::Client,
}

impl Gateway {
    /// The API at `gateway` (`http://127.0.0.1:<port>`).
    pub fn new(gateway: &str) -> Result<Self, JourneyError> {
        let http = reqwest::Client::builder().timeout(REQUEST_BOUND).build()?;
        Ok(Self {
            base: format!("{gateway}/api/v1"),
            http,
        })
    }

    /// Uploads `bytes` as the file `name` (`multipart/form-data`, parts `file` and `title`);
    /// the new content id.
    pub async fn upload_file(
        &self,
        creator: &Creator,
        name: &str,
        title: &str,
        bytes: &[u8],
    ) -> Result<String, JourneyError> {
        let boundary = format!("journey-{}", Uuid::new_v4().simple());
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\
                 {title}\r\n--{boundary}--\r\n"
            )
            .as_bytes(),
        );
        let path = format!("/creators/{}/content", creator.id);
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&creator.token)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        let probe = self.send(request, format!("POST {path}")).await?;
        expect(&probe, 201)?;
        field(&probe, "id")
    }

    /// `GET /creators/{id}/stats`.
    pub async fn stats(&self, creator: &Creator) -> Result<Value, JourneyError> {
        let path = format!("/creators/{}/stats", creator.id);
        let probe = self.probe(Method::GET, &path, &creator.token).await?;
        expect(&probe, 200)?;
        Ok(probe.body)
    }

    /// `DELETE /creators/{id}/content/{content_id}`, answered 204.
    pub async fn delete_content(
        &self,
        creator: &Creator,
        content_id: &str,
    ) -> Result<(), JourneyError> {
        let path = format!("/creators/{}/content/{content_id}", creator.id);
        let probe = self.probe(Method::DELETE, &path, &creator.token).await?;
        expect(&probe, 204)
    }

    /// `method path` with `token`, answered within [`REQUEST_BOUND`] whatever the status.
    pub async fn probe(
        &self,
        method: Method,
        path: &str,
        token: &str,
    ) -> Result<Probe, JourneyError> {
        let call = format!("{method} {path}");
        let request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        self.send(request, call).await
    }

    /// `POST path` with `token` and the JSON `body`, answered within [`REQUEST_BOUND`]
    /// whatever the status.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Result<Probe, JourneyError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body);
        self.send(request, format!("POST {path}")).await
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        call: String,
    ) -> Result<Probe, JourneyError> {
        let resp = request.send().await.map_err(|e| timeout_or(e, &call))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = resp.text().await.map_err(|e| timeout_or(e, &call))?;
        Ok(Probe {
            call,
            status,
            content_type,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        })
    }
}

fn timeout_or(error: reqwest::Error, call: &str) -> JourneyError {
    if error.is_timeout() {
        JourneyError::Timeout {
            what: call.to_owned(),
            secs: REQUEST_BOUND.as_secs(),
        }
    } else {
        JourneyError::Http(error)
    }
}

fn expect(probe: &Probe, status: u16) -> Result<(), JourneyError> {
    if probe.status == status {
        return Ok(());
    }
    Err(JourneyError::Api {
        call: probe.call.clone(),
        status: probe.status,
        body: probe.body.to_string(),
    })
}

fn field(probe: &Probe, name: &str) -> Result<String, JourneyError> {
    probe.body[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| JourneyError::Unexpected {
            what: format!("{} without `{name}`", probe.call),
            detail: probe.body.to_string(),
        })
}
