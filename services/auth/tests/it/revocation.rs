//! Deactivation and suspension end access on every route within seconds, not when the access
//! token expires; management routes fail closed when revocations cannot be read.

use std::time::{Duration, Instant};

use coachai_auth::Config;
use coachai_common::auth::Revocations;
use serde_json::json;

use crate::harness::{App, Reply};

/// Polls `probe` until it answers `status` or `within` passes; the last reply.
async fn eventually<F, Fut>(within: Duration, status: u16, probe: F) -> Reply
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let deadline = Instant::now() + within;
    loop {
        let reply = probe().await;
        if reply.status.as_u16() == status || Instant::now() > deadline {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_deactivated_admin_is_refused_everywhere_with_the_token_they_still_hold() {
    let app = App::new().await;
    let owner = app.signup().await;
    let admin = app.invite_and_accept(&owner, "admin").await;
    assert_eq!(app.get("/users", &admin.access).await.status, 200);

    let path = format!("/users/{}/deactivate", admin.user_id);
    let done = app.post(&path, &json!({}), Some(&owner.access)).await;
    assert_eq!(done.status, 200, "{}", done.body);

    // The access token is unexpired and its signature valid, yet nothing accepts it now.
    let invite = json!({"email": "after@example.org"});
    app.post("/invitations", &invite, Some(&admin.access))
        .await
        .problem(401);
    app.post("/api-keys", &json!({"name": "late"}), Some(&admin.access))
        .await
        .problem(401);
    app.get("/api-keys", &admin.access).await.problem(401);
    app.get("/users", &admin.access).await.problem(401);
    app.get("/me", &admin.access).await.problem(401);
    // The owner is untouched.
    assert_eq!(app.get("/users", &owner.access).await.status, 200);
}

#[tokio::test]
async fn invitations_a_deactivated_user_sent_can_no_longer_be_accepted() {
    let app = App::new().await;
    let owner = app.signup().await;
    let admin = app.invite_and_accept(&owner, "admin").await;
    let invite = app
        .post(
            "/invitations",
            &json!({"email": "pending@example.org"}),
            Some(&admin.access),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.body);
    let path = format!("/users/{}/deactivate", admin.user_id);
    assert_eq!(
        app.post(&path, &json!({}), Some(&owner.access))
            .await
            .status,
        200
    );
    let accept = json!({"token": invite.body["token"], "password": "a long member passphrase"});
    app.post("/invitations/accept", &accept, None)
        .await
        .problem(401);
}

#[tokio::test]
async fn a_suspended_creator_is_refused_within_seconds_and_back_after_resumption() {
    let app = App::new().await;
    let owner = app.signup().await;
    let other = app.signup().await;
    // Another process (the operator) records the suspension in the shared Redis.
    let operator = Revocations::new(&app.config.common.redis_url);
    operator.suspend_creator(owner.creator_id).await.unwrap();

    let refused = eventually(Duration::from_secs(3), 401, || {
        app.get("/me", &owner.access)
    })
    .await;
    refused.problem(401);
    assert_eq!(
        app.get("/me", &other.access).await.status,
        200,
        "other tenants unaffected"
    );

    operator.resume_creator(owner.creator_id).await.unwrap();
    let back = eventually(Duration::from_secs(3), 200, || {
        app.get("/me", &owner.access)
    })
    .await;
    assert_eq!(back.status, 200, "{}", back.body);
}

#[tokio::test]
async fn without_redis_management_routes_fail_closed_and_identity_fails_open() {
    let mut config = Config::default();
    config.common.redis_url = "redis://127.0.0.1:1".into();
    let app = App::with_config(config).await;
    let owner = app.signup().await;
    let users = app.get("/users", &owner.access).await.problem(503);
    assert!(
        !users.body["detail"].as_str().unwrap().contains("127.0.0.1"),
        "{}",
        users.body
    );
    assert_eq!(app.get("/me", &owner.access).await.status, 200);
    let path = format!("/users/{}/deactivate", uuid::Uuid::new_v4());
    app.post(&path, &json!({}), Some(&owner.access))
        .await
        .problem(503);
}
