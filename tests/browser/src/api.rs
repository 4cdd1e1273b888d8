//! Seeding through the public API, through the gateway, as a creator would: sign up, set the
//! models, upload content and wait for it to be ready, invite clients.

use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::HarnessError;

/// A creator signed up through the API, with its owner's credentials.
#[derive(Debug, Clone)]
pub struct Creator {
    /// `creator_id`.
    pub id: String,
    /// The slug the chat page and console live under.
    pub slug: String,
    /// The owner's email.
    pub owner_email: String,
    /// The owner's password.
    pub owner_password: String,
    /// The owner's access token (15 minutes).
    pub token: String,
}

/// A client account of a creator, made by invitation and accepted.
#[derive(Debug, Clone)]
pub struct Client {
    /// Sign-in email.
    pub email: String,
    /// Sign-in password.
    pub password: String,
}

/// The public API behind the gateway.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
}

/// A password the Auth policy accepts, unique per call.
pub fn password() -> String {
    let random = Uuid::new_v4().simple().to_string();
    format!("Browser-{}-Suite", &random[..12])
}

fn unique(prefix: &str) -> String {
    let random = Uuid::new_v4().simple().to_string();
    format!("{prefix}-{}", &random[..8])
}

impl Api {
    /// The API at `gateway` (`http://127.0.0.1:<port>`).
    pub fn new(gateway: &str) -> Self {
        Self {
            base: format!("{gateway}/api/v1"),
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        request: RequestBuilder,
        label: String,
        expect: u16,
    ) -> Result<Value, HarnessError> {
        let resp = request.send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        if status != expect {
            return Err(HarnessError::Api {
                call: label,
                status,
                body,
            });
        }
        Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Signs up a new creator named `name` plus a random suffix.
    pub async fn signup(&self, name: &str) -> Result<Creator, HarnessError> {
        let email = format!("{}@example.com", unique("owner"));
        let password = password();
        let body = json!({"email": email, "password": password, "creator_name": unique(name)});
        let request = self.request(Method::POST, "/auth/signup", None).json(&body);
        let answer = self.call(request, "POST /auth/signup".into(), 201).await?;
        Ok(Creator {
            id: field(&answer, "creator_id")?,
            slug: field(&answer, "slug")?,
            owner_email: email,
            owner_password: password,
            token: field(&answer, "access_token")?,
        })
    }

    /// `PATCH /creators/{id}` with `patch`; the profile after the change.
    pub async fn patch_creator(
        &self,
        creator: &Creator,
        patch: &Value,
    ) -> Result<Value, HarnessError> {
        let path = format!("/creators/{}", creator.id);
        let request = self.request(Method::PATCH, &path, Some(&creator.token));
        self.call(request.json(patch), format!("PATCH {path}"), 200)
            .await
    }

    /// Uploads a markdown document; its content id.
    pub async fn upload_markdown(
        &self,
        creator: &Creator,
        title: &str,
        body: &str,
    ) -> Result<String, HarnessError> {
        let path = format!("/creators/{}/content", creator.id);
        let upload = json!({"title": title, "kind": "markdown", "body": body});
        let request = self.request(Method::POST, &path, Some(&creator.token));
        let answer = self
            .call(request.json(&upload), format!("POST {path}"), 201)
            .await?;
        field(&answer, "id")
    }

    /// Waits until the content item is `ready` (embedded by the AI Engine); fails at once when
    /// it is `failed`, naming the reason.
    pub async fn wait_ready(
        &self,
        creator: &Creator,
        content_id: &str,
        timeout: Duration,
    ) -> Result<(), HarnessError> {
        let path = format!("/creators/{}/content/{content_id}", creator.id);
        let start = Instant::now();
        loop {
            let request = self.request(Method::GET, &path, Some(&creator.token));
            let item = self.call(request, format!("GET {path}"), 200).await?;
            match item["status"].as_str() {
                Some("ready") => return Ok(()),
                Some("failed") => {
                    return Err(HarnessError::Unexpected {
                        what: format!("content {content_id}"),
                        detail: format!("failed: {}", item["status_reason"]),
                    });
                }
                _ if start.elapsed() > timeout => {
                    return Err(HarnessError::NotReady {
                        what: format!("content {content_id}"),
                        secs: timeout.as_secs(),
                        detail: format!("still {}", item["status"]),
                    });
                }
                _ => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }

    /// Invites a client; the invitation token.
    pub async fn invite(&self, creator: &Creator, email: &str) -> Result<String, HarnessError> {
        let request = self.request(Method::POST, "/auth/invitations", Some(&creator.token));
        let body = json!({"email": email, "role": "client"});
        let answer = self
            .call(request.json(&body), "POST /auth/invitations".into(), 201)
            .await?;
        field(&answer, "token")
    }

    /// A new client account of `creator`: invited, and the invitation accepted.
    pub async fn client(&self, creator: &Creator) -> Result<Client, HarnessError> {
        let email = format!("{}@example.com", unique("client"));
        let token = self.invite(creator, &email).await?;
        let password = password();
        let request = self.request(Method::POST, "/auth/invitations/accept", None);
        let body = json!({"token": token, "password": password});
        self.call(
            request.json(&body),
            "POST /auth/invitations/accept".into(),
            201,
        )
        .await?;
        Ok(Client { email, password })
    }
}

impl Api {
    /// Signs `email` in to the creator `slug`; the access token.
    pub async fn login(
        &self,
        slug: &str,
        email: &str,
        password: &str,
    ) -> Result<String, HarnessError> {
        let request = self.request(Method::POST, "/auth/login", None);
        let body = json!({"creator": slug, "email": email, "password": password});
        let answer = self
            .call(request.json(&body), "POST /auth/login".into(), 200)
            .await?;
        field(&answer, "access_token")
    }

    /// A WebSocket ticket for `token`, asked for without an `Origin` (so bound to none).
    pub async fn ws_ticket(&self, token: &str) -> Result<String, HarnessError> {
        let request = self.request(Method::POST, "/channels/ws-ticket", Some(token));
        let answer = self
            .call(request, "POST /channels/ws-ticket".into(), 201)
            .await?;
        field(&answer, "ticket")
    }

    /// The caller's conversations, newest first (`items` of `GET /ai/conversations`).
    pub async fn conversations(&self, token: &str) -> Result<Vec<Value>, HarnessError> {
        let request = self.request(Method::GET, "/ai/conversations", Some(token));
        let answer = self
            .call(request, "GET /ai/conversations".into(), 200)
            .await?;
        Ok(answer["items"].as_array().cloned().unwrap_or_default())
    }

    /// One conversation with its messages, as the AI Engine stored them.
    pub async fn conversation(&self, token: &str, id: &str) -> Result<Value, HarnessError> {
        let path = format!("/ai/conversations/{id}");
        let request = self.request(Method::GET, &path, Some(token));
        self.call(request, format!("GET {path}"), 200).await
    }

    /// The creator's profile.
    pub async fn profile(&self, creator: &Creator) -> Result<Value, HarnessError> {
        let path = format!("/creators/{}", creator.id);
        let request = self.request(Method::GET, &path, Some(&creator.token));
        self.call(request, format!("GET {path}"), 200).await
    }

    /// `GET <gateway><path>` without credentials: the status and the headers.
    pub async fn page_headers(
        &self,
        path: &str,
    ) -> Result<(u16, reqwest::header::HeaderMap), HarnessError> {
        let base = self.base.trim_end_matches("/api/v1");
        let resp = self.http.get(format!("{base}{path}")).send().await?;
        Ok((resp.status().as_u16(), resp.headers().clone()))
    }
}

fn field(answer: &Value, name: &str) -> Result<String, HarnessError> {
    answer[name]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| HarnessError::Unexpected {
            what: format!("answer without `{name}`"),
            detail: answer.to_string(),
        })
}
