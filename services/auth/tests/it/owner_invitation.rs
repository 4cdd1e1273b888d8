//! A tenant made by the operator (no owner password) is handed over with an owner invitation:
//! accepting it sets the owner's password, once, and never makes a second owner.

use std::time::Duration;

use coachai_common::tenancy::CreatorId;
use coachai_provisioning::{Provisioner, TenantSpec};
use serde_json::json;
use uuid::Uuid;

use crate::harness::{App, random_slug};

#[tokio::test]
async fn an_owner_invitation_sets_the_owners_password_once() {
    let app = App::new().await;
    let (creator, slug) = (CreatorId(Uuid::new_v4()), random_slug());
    let tenant = TenantSpec {
        slug: Some(slug.clone()),
        display_name: "Handed Over".into(),
        owner_email: "handed@example.org".into(),
        owner_password_hash: None,
    }
    .validate()
    .unwrap();
    Provisioner::new()
        .ensure(&app.db, &tenant, creator)
        .await
        .unwrap();
    let password = "a long owner passphrase";
    app.login(&slug, "handed@example.org", password)
        .await
        .problem(401);

    let invitation = coachai_provisioning::invite_owner(&app.db, creator, Duration::from_secs(600))
        .await
        .unwrap();
    let body = json!({"token": invitation.token, "password": password});
    let accepted = app.post("/invitations/accept", &body, None).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    app.post("/invitations/accept", &body, None)
        .await
        .problem(401);

    let login = app.login(&slug, "handed@example.org", password).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let me = app
        .get("/me", login.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.body["role"], "owner");
    let mut tx = app.tenant(creator.0).await;
    let owners: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(tx.conn())
        .await
        .unwrap();
    assert_eq!(owners, 1, "accepting made no second user");
}
