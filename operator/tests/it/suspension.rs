//! Suspension as the tenant's users notice it: the Auth service (its router, served in-process
//! on a real socket over the dev stack's PostgreSQL and Redis) refuses the owner's login and the
//! owner's existing token while `spec.suspended` is true, and accepts both again once it is
//! lifted.

use std::net::SocketAddr;
use std::time::Duration;

use coachai_auth::keys::KeyRing;
use coachai_auth::{AuthState, Config, router};
use coachai_common::tenancy::{CreatorId, Db};
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::{Patch, PatchParams};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{Operator, ready};

const PASSWORD: &str = "a long owner passphrase for suspension";
const OWNER: &str = "coach@example.com";

/// The Auth service on `127.0.0.1:<free port>`: its base URL.
async fn auth_service() -> String {
    let config = Config::from_env().expect("the Auth configuration (source scripts/env.sh)");
    let pool = coachai_common::db::connect(&config.common.database_url, 4)
        .await
        .expect("PostgreSQL of the dev stack");
    let state = AuthState::build(Db::new(pool), KeyRing::ephemeral(), &config).unwrap();
    let app = router(state, &config).into_make_service_with_connect_info::<SocketAddr>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/api/v1/auth")
}

async fn post(url: &str, body: Value) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    reply(answer).await
}

async fn me(auth: &str, token: &str) -> (StatusCode, Value) {
    let answer = reqwest::Client::new()
        .get(format!("{auth}/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    reply(answer).await
}

async fn reply(answer: reqwest::Response) -> (StatusCode, Value) {
    let status = answer.status();
    let problem = answer
        .headers()
        .get("content-type")
        .is_some_and(|t| t == "application/problem+json");
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    assert!(
        status.is_success() || problem,
        "a refusal is problem+json: {status} {body}"
    );
    (status, body)
}

async fn login(auth: &str, slug: &str) -> (StatusCode, Value) {
    let body = json!({"creator": slug, "email": OWNER, "password": PASSWORD});
    post(&format!("{auth}/login"), body).await
}

fn refused(status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN
}

/// Polls `check` every 250 ms for at most a minute (what the issue allows), saying `what`.
async fn within_a_minute<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let last = check().await;
        let Err(last) = last else { return };
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not within a minute; last {last}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn suspend(op: &Operator, name: &str, suspended: bool) {
    let patch = json!({"spec": {"suspended": suspended}});
    op.api
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
}

/// Accepts the owner invitation from the Creator's invitation Secret, setting the password.
async fn accept_invitation(op: &Operator, auth: &str, secret: &str) {
    let secrets: Api<Secret> = Api::namespaced(op.ns.client(), op.ns.name());
    let data = secrets.get(secret).await.unwrap().data.unwrap();
    let token = String::from_utf8(data["token"].0.clone()).unwrap();
    let body = json!({"token": token, "password": PASSWORD});
    let (status, body) = post(&format!("{auth}/invitations/accept"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_suspended_tenant_cannot_log_in_nor_use_its_token_until_resumed() {
    let (op, auth) = (Operator::start("op-suspend").await, auth_service().await);
    let slug = format!("susp-{}", &Uuid::new_v4().simple().to_string()[..8]);
    op.create("paused", &slug, json!({})).await;
    let creator = op.until("paused", "Ready", ready).await;
    let id = CreatorId(Uuid::parse_str(creator.metadata.uid.as_deref().unwrap()).unwrap());
    accept_invitation(
        &op,
        &auth,
        &creator.status.unwrap().invitation_secret.unwrap(),
    )
    .await;
    let (status, session) = login(&auth, &slug).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let token = session["access_token"].as_str().unwrap().to_owned();
    let (status, body) = me(&auth, &token).await;
    assert_eq!(
        (status, body["creator_id"].as_str()),
        (StatusCode::OK, Some(&*id.0.to_string()))
    );

    suspend(&op, "paused", true).await;
    within_a_minute("the existing token refused", || async {
        let (status, body) = me(&auth, &token).await;
        refused(status)
            .then_some(())
            .ok_or(format!("{status} {body}"))
    })
    .await;
    within_a_minute("the login refused", || async {
        let (status, body) = login(&auth, &slug).await;
        refused(status)
            .then_some(())
            .ok_or(format!("{status} {body}"))
    })
    .await;
    op.until("paused", "Suspended", |c| {
        c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Suspended")
    })
    .await;

    suspend(&op, "paused", false).await;
    within_a_minute("the login accepted again", || async {
        let (status, body) = login(&auth, &slug).await;
        (status == StatusCode::OK)
            .then_some(())
            .ok_or(format!("{status} {body}"))
    })
    .await;
    let (_, session) = login(&auth, &slug).await;
    let fresh = session["access_token"].as_str().unwrap().to_owned();
    within_a_minute("a token accepted again", || async {
        let (status, body) = me(&auth, &fresh).await;
        (status == StatusCode::OK)
            .then_some(())
            .ok_or(format!("{status} {body}"))
    })
    .await;
    op.until("paused", "Ready again", ready).await;
}
