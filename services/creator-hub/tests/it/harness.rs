//! A Hub router over the local stack, creators made in their own tenant transaction, and
//! access tokens signed with a key the router trusts.

use std::sync::Arc;

use crate::test_db::env_or as env;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use coachai_common::auth::api_keys::ApiKeyStore;
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, Authenticator, JwtVerifier, Revocations, Role};
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::state::CoreState;
use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use coachai_creator_hub::{Config, DEFAULT_PORT, router};
use http_body_util::BodyExt;
use jsonwebtoken::jwk::JwkSet;
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

/// The boundary of the forms [`multipart`] builds.
pub const BOUNDARY: &str = "coachai-test-7f3a9c";
/// The `Content-Type` of the forms [`multipart`] builds.
pub const MULTIPART: &str = "multipart/form-data; boundary=coachai-test-7f3a9c";

/// One part of a multipart form.
pub struct Part<'a> {
    pub name: &'a str,
    pub filename: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl<'a> Part<'a> {
    /// The `file` part, named `filename`.
    pub fn file(filename: &'a str, bytes: &'a [u8]) -> Self {
        Self {
            name: "file",
            filename: Some(filename),
            bytes,
        }
    }

    /// A text part.
    pub fn text(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            filename: None,
            bytes: value.as_bytes(),
        }
    }
}

/// A `multipart/form-data` body of `parts`, delimited by [`BOUNDARY`].
pub fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(filename) = part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A status and a JSON body (`Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
}

impl Reply {
    /// Asserts a problem+json answer with `status`.
    pub fn problem(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        self
    }
}

/// The Hub with its database, cache and the key its tokens are signed with.
pub struct Hub {
    pub router: Router,
    pub db: Db,
    key: Ed25519Key,
    config: Config,
}

impl Hub {
    pub async fn new() -> Self {
        let mut config = Config::with_port(DEFAULT_PORT);
        config.common.database_url = env("DATABASE_URL", &config.common.database_url);
        config.common.redis_url = env("REDIS_URL", &config.common.redis_url);
        let db = crate::test_db::migrated(&config.common.database_url, 8).await;
        let key = Ed25519Key::generate("hub-test");
        let jwks = JwkSet {
            keys: vec![key.public_jwk()],
        };
        let common = &config.common;
        let verifier = JwtVerifier::fixed(&jwks, &common.jwt_issuer, &common.jwt_audience).unwrap();
        let revocations = Arc::new(Revocations::new(&common.redis_url));
        let state = CoreState {
            db: db.clone(),
            authenticator: Authenticator::new(Arc::new(verifier), revocations)
                .with_api_keys(Arc::new(ApiKeyStore::new(db.clone()))),
            cache: Arc::new(Cache::new(&common.redis_url, CacheOptions::default())),
        };
        Self {
            router: router(state, &config),
            db,
            key,
            config,
        }
    }

    /// A new creator with a random slug.
    pub async fn creator(&self) -> CreatorId {
        let creator = CreatorId(Uuid::new_v4());
        let mut tx = self.db.begin_for(creator).await.unwrap();
        let slug = format!("hub-{}", &creator.0.simple().to_string()[..12]);
        sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, 'Hub Test')")
            .bind(creator.0)
            .bind(slug)
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        creator
    }

    /// An access token of a new user of `creator` with `role`.
    pub fn token(&self, creator: CreatorId, role: Role) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            iss: self.config.common.jwt_issuer.clone(),
            aud: self.config.common.jwt_audience.clone(),
            sub: Uuid::new_v4(),
            exp: now + 600,
            iat: now,
            nbf: now,
            jti: Uuid::new_v4().to_string(),
            creator_id: creator.0,
            role,
        };
        self.key.sign(&claims).unwrap()
    }

    pub async fn tenant(&self, creator: CreatorId) -> TenantTx {
        self.db.begin_for(creator).await.unwrap()
    }

    pub async fn call(&self, method: Method, path: &str, token: &str, body: Option<&str>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1/creators{path}"))
            .header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Body::from(body.unwrap_or("").to_owned()))
            .unwrap();
        self.send(request).await
    }

    /// Sends `request` to the router and reads the answer.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            body,
            content_type,
        }
    }

    /// `POST /{creator}/content` as `multipart/form-data` of `parts`, with its `Content-Length`.
    pub async fn upload_form(&self, creator: CreatorId, token: &str, parts: &[Part<'_>]) -> Reply {
        let body = multipart(parts);
        let request = Request::post(format!("/api/v1/creators/{creator}/content"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", MULTIPART)
            .header("content-length", body.len())
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Uploads one file named `name` with no other part.
    pub async fn upload_file(
        &self,
        creator: CreatorId,
        token: &str,
        name: &str,
        bytes: &[u8],
    ) -> Reply {
        self.upload_form(creator, token, &[Part::file(name, bytes)])
            .await
    }

    pub async fn get(&self, creator: CreatorId, token: &str) -> Reply {
        self.call(Method::GET, &format!("/{creator}"), token, None)
            .await
    }

    pub async fn patch(&self, creator: CreatorId, token: &str, body: &Value) -> Reply {
        let text = body.to_string();
        self.call(Method::PATCH, &format!("/{creator}"), token, Some(&text))
            .await
    }

    /// `POST /{creator}/content` with `body` as JSON.
    pub async fn upload(&self, creator: CreatorId, token: &str, body: &Value) -> Reply {
        let text = body.to_string();
        self.call(
            Method::POST,
            &format!("/{creator}/content"),
            token,
            Some(&text),
        )
        .await
    }

    /// Sets the operator's quotas of `creator` directly in the database.
    pub async fn set_quotas(&self, creator: CreatorId, quotas: &Value) {
        let mut tx = self.tenant(creator).await;
        sqlx::query("UPDATE creators SET quotas = $1")
            .bind(quotas)
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    /// One value of `sql` read in `creator`'s tenant.
    pub async fn count(&self, creator: CreatorId, sql: &str, id: Uuid) -> i64 {
        let mut tx = self.tenant(creator).await;
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(tx.conn())
            .await
            .unwrap()
    }
}
