//! Bad input of every kind gets a 4xx problem+json, never a 500.

use axum::body::Body;
use axum::http::Method;
use serde_json::{Value, json};

use crate::harness::{App, PASSWORD, random_slug};

fn signup_body(email: &str, password: &str, name: &str, slug: Option<&str>) -> Value {
    json!({"email": email, "password": password, "creator_name": name, "slug": slug})
}

#[tokio::test]
async fn malformed_oversize_and_mistyped_bodies_are_refused() {
    let app = App::new().await;
    let json_ct = [("content-type", "application/json")];
    app.call(
        Method::POST,
        "/login",
        Body::from("{\"creator\":"),
        &json_ct,
    )
    .await
    .problem(400);
    let huge = format!("{{\"creator\":\"{}\"}}", "a".repeat(2 * 1024 * 1024));
    app.call(Method::POST, "/login", Body::from(huge), &json_ct)
        .await
        .problem(413);
    app.call(
        Method::POST,
        "/login",
        Body::from("creator=x"),
        &[("content-type", "text/plain")],
    )
    .await
    .problem(415);
    app.call(Method::POST, "/signup", Body::from("[1,2,3]"), &json_ct)
        .await
        .problem(422);
    let extra = json!({"creator": "x", "email": "a@b.co", "password": "p", "role": "owner"});
    app.post("/login", &extra, None).await.problem(422);
    app.post("/login", &json!({"creator": 7}), None)
        .await
        .problem(422);
}

#[tokio::test]
async fn weak_passwords_and_invalid_emails_are_refused_with_field_errors() {
    let app = App::new().await;
    for weak in [
        "short",
        "password1234",
        "Password1234!",
        "123456789012345",
        "aaaaaaaaaaaaaaaa",
    ] {
        let reply = app
            .post(
                "/signup",
                &signup_body("a@example.com", weak, "N", None),
                None,
            )
            .await
            .problem(422);
        assert_eq!(
            reply.body["errors"][0]["field"], "password",
            "{weak}: {}",
            reply.body
        );
    }
    let local_part = signup_body("maximilian@example.com", "Maximilian2024!!", "N", None);
    app.post("/signup", &local_part, None).await.problem(422);
    for email in ["not-an-email", "a@", "@b.co", "a b@c.de", "a@b@c.de", ""] {
        let reply = app
            .post("/signup", &signup_body(email, PASSWORD, "N", None), None)
            .await
            .problem(422);
        assert!(
            reply.body.to_string().contains("email"),
            "{email}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_duplicate_signup_is_a_conflict() {
    let app = App::new().await;
    let slug = random_slug();
    let body = signup_body("dup@example.com", PASSWORD, "Dup", Some(&slug));
    assert_eq!(app.post("/signup", &body, None).await.status, 201);
    let reply = app.post("/signup", &body, None).await.problem(409);
    assert!(reply.body["detail"].as_str().unwrap().contains(&slug));
}

#[tokio::test]
async fn sql_looking_inputs_are_just_strings() {
    let app = App::new().await;
    let owner = app.signup().await;
    let sneaky = [
        "' OR '1'='1",
        "x'; DROP TABLE users; --",
        "\" OR 1=1 --",
        "%' UNION SELECT password_hash FROM users --",
        "$1",
    ];
    for s in sneaky {
        app.login(s, &owner.email, PASSWORD).await.problem(401);
        app.login(&owner.slug, s, PASSWORD).await.problem(401);
        app.login(&owner.slug, &owner.email, s).await.problem(401);
        app.post(
            "/signup",
            &signup_body("a@example.com", PASSWORD, "N", Some(s)),
            None,
        )
        .await
        .problem(422);
        app.refresh(s).await.problem(401);
        app.get("/me", s).await.problem(401);
        let accept = json!({"token": s, "password": PASSWORD});
        app.post("/invitations/accept", &accept, None)
            .await
            .problem(401);
    }
    // The owner still signs in: nothing was dropped or matched.
    assert_eq!(
        app.login(&owner.slug, &owner.email, PASSWORD).await.status,
        200
    );
    let path = "/users/'%20OR%201=1/deactivate";
    app.post(path, &json!({}), Some(&owner.access))
        .await
        .problem(400);
    app.delete("/api-keys/not-a-uuid", &owner.access)
        .await
        .problem(400);
}

#[tokio::test]
async fn unicode_edge_inputs_are_handled() {
    let app = App::new().await;
    let owner = app.signup().await;
    let nul = "a\u{0}b@example.com";
    for email in [nul, "\u{202e}moc.elpmaxe@a", "a\u{7}@example.com"] {
        app.post("/signup", &signup_body(email, PASSWORD, "N", None), None)
            .await
            .problem(422);
    }
    app.login(&owner.slug, nul, PASSWORD).await.problem(422);
    app.login("\u{0}", &owner.email, PASSWORD)
        .await
        .problem(422);
    app.login("ｔｅｓｔ", &owner.email, PASSWORD)
        .await
        .problem(401);
    app.login(&owner.slug, &owner.email, "\u{0}\u{0}\u{0}")
        .await
        .problem(401);
    app.login(&owner.slug, "ÜNÏCÖDÉ@exämple.com", "🦀🦀🦀")
        .await
        .problem(401);
    app.post(
        "/signup",
        &signup_body("b@example.com", PASSWORD, "N", Some("smörgåsbord")),
        None,
    )
    .await
    .problem(422);
    app.post(
        "/signup",
        &signup_body("b@example.com", PASSWORD, &"é".repeat(201), None),
        None,
    )
    .await
    .problem(422);

    // A name with no ASCII letters still makes a creator (with a generated slug), and a
    // unicode passphrase works for sign-in.
    let passphrase = "ночь над 東京 и 🦀 крабы";
    let email = format!("uni-{}@example.com", random_slug());
    let made = app
        .post(
            "/signup",
            &signup_body(&email, passphrase, "コーチ 🌸", None),
            None,
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let slug = made.body["slug"].as_str().unwrap();
    assert!(slug.starts_with("creator-"), "{slug}");
    assert_eq!(app.login(slug, &email, passphrase).await.status, 200);
    // Email matching is case-insensitive.
    assert_eq!(
        app.login(slug, &email.to_uppercase(), passphrase)
            .await
            .status,
        200
    );
}
