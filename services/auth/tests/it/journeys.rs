//! The user journeys end to end through the router.

use serde_json::json;

use crate::harness::{App, PASSWORD, random_slug, session};

#[tokio::test]
async fn signup_login_me_refresh_and_reuse_revokes_the_whole_family() {
    let app = App::new().await;
    let owner = app.signup().await;

    let login = app.login(&owner.slug, &owner.email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900);
    let s = session(&login.body, &owner.email, PASSWORD);

    let me = app.get("/me", &s.access).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user_id"], owner.user_id.to_string());
    assert_eq!(me.body["creator_id"], owner.creator_id.to_string());
    assert_eq!(me.body["email"], owner.email);
    assert_eq!(me.body["role"], "owner");

    let first = app.refresh(&s.refresh).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let rotated = first.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, s.refresh);
    assert_eq!(
        app.get("/me", first.body["access_token"].as_str().unwrap())
            .await
            .status,
        200
    );

    // The old token again: reuse. It fails, and so does the token it was rotated into.
    app.refresh(&s.refresh).await.problem(401);
    app.refresh(&rotated).await.problem(401);

    // The owner's sign-up session is another family and still works; logout ends it.
    let other = app.refresh(&owner.refresh).await;
    assert_eq!(other.status, 200, "{}", other.body);
    let last = other.body["refresh_token"].as_str().unwrap().to_owned();
    let out = app
        .post("/logout", &json!({"refresh_token": last}), None)
        .await;
    assert_eq!(out.status, 204);
    app.refresh(&last).await.problem(401);
    // Logout is idempotent and says nothing about unknown tokens.
    let again = app
        .post("/logout", &json!({"refresh_token": "nonsense"}), None)
        .await;
    assert_eq!(again.status, 204);

    let mut tx = app.tenant(owner.creator_id).await;
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(tx.conn())
        .await
        .unwrap();
    for expected in [
        "tenant.provision",
        "auth.signup",
        "auth.login",
        "auth.refresh",
        "auth.refresh_reuse",
        "auth.logout",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    let (ip, request_id): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT host(ip), request_id FROM audit_log WHERE action = 'auth.login'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(ip, Some(app.ip.to_string()));
    assert!(request_id.is_some());
    let revoked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE status = 'revoked'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert!(revoked >= 3, "{revoked}");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = App::new().await;
    let owner = app.signup().await;
    let wrong = app
        .login(&owner.slug, &owner.email, "not the password at all")
        .await
        .problem(401);
    let unknown = app
        .login(&owner.slug, "nobody@example.com", PASSWORD)
        .await
        .problem(401);
    let no_creator = app
        .login("no-such-creator-x", &owner.email, PASSWORD)
        .await
        .problem(401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, no_creator.body);
}

#[tokio::test]
async fn an_invited_client_accepts_once_and_signs_in() {
    let app = App::new().await;
    let owner = app.signup().await;
    let email = "client@example.org";
    let invite = app
        .post(
            "/invitations",
            &json!({"email": email}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.body);
    assert_eq!(invite.body["role"], "client");
    let token = invite.body["token"].as_str().unwrap().to_owned();

    let weak = json!({"token": token, "password": "short"});
    app.post("/invitations/accept", &weak, None)
        .await
        .problem(422);

    let body =
        json!({"token": token, "password": "a long client passphrase", "display_name": "Cli Ent"});
    let accepted = app.post("/invitations/accept", &body, None).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    app.post("/invitations/accept", &body, None)
        .await
        .problem(401);

    let login = app
        .login(&owner.slug, email, "a long client passphrase")
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let client = login.body["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/me", &client).await;
    assert_eq!(me.body["role"], "client");
    assert_eq!(me.body["email"], email);

    // Clients manage nothing.
    app.get("/users", &client).await.problem(403);
    app.post(
        "/invitations",
        &json!({"email": "x@example.org"}),
        Some(&client),
    )
    .await
    .problem(403);
    // Inviting an existing user is a conflict.
    app.post(
        "/invitations",
        &json!({"email": email}),
        Some(&owner.access),
    )
    .await
    .problem(409);
}

#[tokio::test]
async fn an_api_key_works_until_it_is_revoked() {
    let app = App::new().await;
    let owner = app.signup().await;
    let created = app
        .post(
            "/api-keys",
            &json!({"name": "website widget", "scopes": ["chat", "content:read"]}),
            Some(&owner.access),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with(&format!(
        "cak_{}_",
        created.body["prefix"].as_str().unwrap()
    )));

    let me = app.get("/me", &key).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["user_id"], owner.user_id.to_string());
    // A key serves integrations; it cannot mint more keys.
    app.post("/api-keys", &json!({"name": "x"}), Some(&key))
        .await
        .problem(403);

    let listed = app.get("/api-keys", &owner.access).await;
    let entry = &listed.body["api_keys"][0];
    assert_eq!(entry["id"], id);
    assert!(entry.get("key").is_none());
    assert!(entry["last_used_at"].is_string(), "{entry}");

    assert_eq!(
        app.delete(&format!("/api-keys/{id}"), &owner.access)
            .await
            .status,
        204
    );
    app.get("/me", &key).await.problem(401);
    app.delete(&format!("/api-keys/{id}"), &owner.access)
        .await
        .problem(404);
    // A key with a right prefix and a wrong secret is refused too.
    let forged = format!("{}x", &key[..key.len() - 1]);
    app.get("/me", &forged).await.problem(401);
}

#[tokio::test]
async fn the_owner_deactivates_a_user_who_then_cannot_sign_in_or_refresh() {
    let app = App::new().await;
    let owner = app.signup().await;
    let invite = app
        .post(
            "/invitations",
            &json!({"email": "coach@example.org", "role": "coach"}),
            Some(&owner.access),
        )
        .await;
    let token = invite.body["token"].as_str().unwrap();
    let accepted = app
        .post(
            "/invitations/accept",
            &json!({"token": token, "password": "coaching all day long"}),
            None,
        )
        .await;
    let coach = session(&accepted.body, "coach@example.org", "coaching all day long");

    let users = app.get("/users", &owner.access).await;
    assert_eq!(users.status, 200, "{}", users.body);
    assert_eq!(users.body["users"].as_array().unwrap().len(), 2);

    let path = format!("/users/{}/deactivate", coach.user_id);
    app.post(&path, &json!({}), Some(&coach.access))
        .await
        .problem(403);
    let done = app.post(&path, &json!({}), Some(&owner.access)).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "deactivated");

    app.login(&owner.slug, &coach.email, &coach.password)
        .await
        .problem(401);
    app.refresh(&coach.refresh).await.problem(401);
    app.get("/me", &coach.access).await.problem(401);
    let own = format!("/users/{}/deactivate", owner.user_id);
    app.post(&own, &json!({}), Some(&owner.access))
        .await
        .problem(409);
}

#[tokio::test]
async fn signup_can_be_switched_off() {
    let config = coachai_auth::Config {
        signup_enabled: false,
        ..Default::default()
    };
    let app = App::with_config(config).await;
    let body = json!({"email": "a@example.com", "password": PASSWORD, "creator_name": "Closed"});
    app.post("/signup", &body, None).await.problem(403);
}

#[tokio::test]
async fn jwks_and_openapi_describe_the_service() {
    let app = App::new().await;
    let jwks = app.get("/.well-known/jwks.json", "unused").await;
    assert_eq!(jwks.status, 200);
    let key = &jwks.body["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["kid"], app.keys.signer().kid());
    assert!(key.get("d").is_none(), "no private part");

    let doc = app.get("/openapi.json", "unused").await.body;
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "signup",
        "login",
        "refresh",
        "logout",
        "me",
        ".well-known/jwks.json",
        "users",
        "users/{id}/deactivate",
        "invitations",
        "invitations/accept",
        "api-keys",
        "api-keys/{id}",
    ] {
        assert!(
            paths.contains_key(&format!("/api/v1/auth/{path}")),
            "{path} in {:?}",
            paths.keys()
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn two_creators_with_the_same_name_both_sign_up_and_sign_in_by_their_own_slugs() {
    let app = App::new().await;
    let name = format!("Coach Alpha {}", random_slug());
    let mut slugs = Vec::new();
    for owner in ["first", "second"] {
        let email = format!("{owner}@example.com");
        let body = json!({"email": email, "password": PASSWORD, "creator_name": name});
        let reply = app.post("/signup", &body, None).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let slug = reply.body["slug"].as_str().unwrap().to_owned();
        assert_eq!(
            app.login(&slug, &email, PASSWORD).await.status,
            200,
            "{slug}"
        );
        slugs.push(slug);
    }
    assert_ne!(slugs[0], slugs[1]);
    assert!(slugs[1].starts_with(&slugs[0]), "{slugs:?}");
    // A slug chosen explicitly is the requester's word: taken means 409.
    let body = json!({"email": "third@example.com", "password": PASSWORD,
                      "creator_name": name, "slug": slugs[1]});
    let reply = app.post("/signup", &body, None).await.problem(409);
    assert!(reply.body["detail"].as_str().unwrap().contains(&slugs[1]));
}
