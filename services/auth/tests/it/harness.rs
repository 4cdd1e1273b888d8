//! Test harness: a migrated database, a router per test, request helpers and sign-up.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use coachai_auth::keys::KeyRing;
use coachai_auth::{AuthState, Config, router};
use coachai_common::tenancy::{CreatorId, Db, TenantTx};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use tower::ServiceExt;
use uuid::Uuid;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

async fn migrate_once() {
    MIGRATED
        .get_or_init(|| async {
            let url = env(
                "MIGRATION_DATABASE_URL",
                "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
            );
            coachai_common::db::migrate(&url)
                .await
                .expect("migrations apply");
        })
        .await;
}

/// A response: status, headers and the JSON body (`Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts a problem+json client error and returns self.
    pub fn problem(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.headers["content-type"], "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        self
    }
}

/// One router over its own pool, called from its own client address.
pub struct App {
    pub router: Router,
    pub state: AuthState,
    pub db: Db,
    pub keys: KeyRing,
    pub config: Config,
    pub ip: IpAddr,
}

/// A signed-up creator and its owner's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub creator_id: Uuid,
    pub user_id: Uuid,
    pub slug: String,
    pub email: String,
    pub password: String,
    pub access: String,
    pub refresh: String,
}

pub const PASSWORD: &str = "violet kettle under 7 moons";

impl App {
    pub async fn new() -> Self {
        Self::with_config(Config::default()).await
    }

    pub async fn with_config(mut config: Config) -> Self {
        migrate_once().await;
        let defaults = Config::default();
        if config.common.database_url == defaults.common.database_url {
            config.common.database_url = env("DATABASE_URL", &config.common.database_url);
        }
        if config.common.redis_url == defaults.common.redis_url {
            config.common.redis_url = env("REDIS_URL", &config.common.redis_url);
        }
        let pool = coachai_common::db::connect(&config.common.database_url, 8)
            .await
            .expect("database reachable");
        let db = Db::new(pool);
        let keys = KeyRing::ephemeral();
        let state = AuthState::build(db.clone(), keys.clone(), &config).expect("state");
        Self {
            router: router(state.clone(), &config),
            state,
            db,
            keys,
            config,
            ip: random_client_ip(),
        }
    }

    /// The same app, called from another client address.
    pub fn from(&self, ip: IpAddr) -> Self {
        Self {
            router: self.router.clone(),
            state: self.state.clone(),
            db: self.db.clone(),
            keys: self.keys.clone(),
            config: self.config.clone(),
            ip,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Body,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("/api/v1/auth{path}"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(body).expect("request");
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(self.ip, 40_000)));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> Reply {
        let auth = bearer.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        self.call(Method::POST, path, Body::from(body.to_string()), &headers)
            .await
    }

    pub async fn get(&self, path: &str, bearer: &str) -> Reply {
        let auth = format!("Bearer {bearer}");
        self.call(
            Method::GET,
            path,
            Body::empty(),
            &[("authorization", &auth)],
        )
        .await
    }

    pub async fn delete(&self, path: &str, bearer: &str) -> Reply {
        let auth = format!("Bearer {bearer}");
        self.call(
            Method::DELETE,
            path,
            Body::empty(),
            &[("authorization", &auth)],
        )
        .await
    }

    /// Signs up a fresh creator with a random slug.
    pub async fn signup(&self) -> Session {
        let slug = random_slug();
        let email = format!("owner@{slug}.example.com");
        let reply = self
            .post(
                "/signup",
                &json!({"email": email, "password": PASSWORD, "creator_name": "Test Coaching", "slug": slug}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        session(&reply.body, &email, PASSWORD)
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) -> Reply {
        self.post(
            "/login",
            &json!({"creator": slug, "email": email, "password": password}),
            None,
        )
        .await
    }

    pub async fn refresh(&self, token: &str) -> Reply {
        self.post("/refresh", &json!({"refresh_token": token}), None)
            .await
    }

    /// Invites `email` as `role` into the owner's creator and accepts: the new user's session.
    pub async fn invite_and_accept(&self, owner: &Session, role: &str) -> Session {
        let email = format!("{role}-{:08x}@example.org", rand::random::<u32>());
        let invite = self
            .post(
                "/invitations",
                &json!({"email": email, "role": role}),
                Some(&owner.access),
            )
            .await;
        assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.body);
        let token = invite.body["token"].as_str().expect("token");
        let password = "a long member passphrase";
        let accepted = self
            .post(
                "/invitations/accept",
                &json!({"token": token, "password": password}),
                None,
            )
            .await;
        assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
        session(&accepted.body, &email, password)
    }

    /// A tenant transaction for assertions on rows, scoped like a request would be.
    pub async fn tenant(&self, creator: Uuid) -> TenantTx {
        self.db.begin_for(CreatorId(creator)).await.expect("tx")
    }
}

/// Reads a session out of a token response.
pub fn session(body: &Value, email: &str, password: &str) -> Session {
    let text = |k: &str| {
        body[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} in {body}"))
            .to_owned()
    };
    Session {
        creator_id: text("creator_id").parse().expect("uuid"),
        user_id: text("user_id").parse().expect("uuid"),
        slug: text("slug"),
        email: email.to_owned(),
        password: password.to_owned(),
        access: text("access_token"),
        refresh: text("refresh_token"),
    }
}

pub fn random_slug() -> String {
    format!("t-{:016x}", rand::random::<u64>())
}

/// A loopback address other than the trusted gateway's 127.0.0.1.
pub fn random_client_ip() -> IpAddr {
    let [a, b, c]: [u8; 3] = rand::random();
    IpAddr::V4(Ipv4Addr::new(127, a.max(1), b, c.max(1)))
}
