//! Forged, stale and misdirected access tokens: each is refused with 401, and another
//! creator's token reaches nothing of this creator (404, no data).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, Role};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::harness::{App, Session};

fn claims(app: &App, s: &Session) -> AccessClaims {
    let now = chrono::Utc::now().timestamp();
    AccessClaims {
        iss: app.config.common.jwt_issuer.clone(),
        aud: app.config.common.jwt_audience.clone(),
        sub: s.user_id,
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: uuid::Uuid::new_v4().to_string(),
        creator_id: s.creator_id,
        role: Role::Owner,
    }
}

fn b64(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn refused(app: &App, token: &str) {
    app.get("/me", token).await.problem(401);
}

#[tokio::test]
async fn a_correctly_signed_token_is_accepted_as_the_baseline() {
    let app = App::new().await;
    let s = app.signup().await;
    let token = app.keys.signer().sign(&claims(&app, &s)).unwrap();
    assert_eq!(app.get("/me", &token).await.status, 200);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = App::new().await;
    let s = app.signup().await;
    let header = json!({"alg": "none", "typ": "JWT", "kid": app.keys.signer().kid()});
    let payload = serde_json::to_value(claims(&app, &s)).unwrap();
    refused(&app, &format!("{}.{}.", b64(&header), b64(&payload))).await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let app = App::new().await;
    let s = app.signup().await;
    let jwk = serde_json::to_value(app.keys.signer().public_jwk()).unwrap();
    let x = jwk["x"].as_str().unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(app.keys.signer().kid().to_owned());
    for secret in [
        x.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(x).unwrap(),
        jwk.to_string().into_bytes(),
    ] {
        let token = jsonwebtoken::encode(
            &header,
            &claims(&app, &s),
            &EncodingKey::from_secret(&secret),
        )
        .unwrap();
        refused(&app, &token).await;
    }
}

#[tokio::test]
async fn an_unknown_kid_is_refused() {
    let app = App::new().await;
    let s = app.signup().await;
    let stranger = Ed25519Key::generate("someone-else");
    refused(&app, &stranger.sign(&claims(&app, &s)).unwrap()).await;
    // Same kid, different key: the signature does not verify.
    let impostor = Ed25519Key::generate(app.keys.signer().kid());
    refused(&app, &impostor.sign(&claims(&app, &s)).unwrap()).await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let app = App::new().await;
    let s = app.signup().await;
    let mut expired = claims(&app, &s);
    expired.exp = expired.iat - 120;
    expired.nbf = expired.iat - 1000;
    refused(&app, &app.keys.signer().sign(&expired).unwrap()).await;
    let mut early = claims(&app, &s);
    early.nbf = early.iat + 3600;
    refused(&app, &app.keys.signer().sign(&early).unwrap()).await;
}

#[tokio::test]
async fn wrong_audience_or_issuer_is_refused() {
    let app = App::new().await;
    let s = app.signup().await;
    let mut aud = claims(&app, &s);
    aud.aud = "someone-else".into();
    refused(&app, &app.keys.signer().sign(&aud).unwrap()).await;
    let mut iss = claims(&app, &s);
    iss.iss = "https://evil.example".into();
    refused(&app, &app.keys.signer().sign(&iss).unwrap()).await;
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let app = App::new().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let parts: Vec<&str> = a.access.split('.').collect();
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["creator_id"] = json!(b.creator_id);
    payload["sub"] = json!(b.user_id);
    refused(
        &app,
        &format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
    )
    .await;
    refused(&app, "not.a.token").await;
    refused(&app, "").await;
}

#[tokio::test]
async fn creator_a_reaches_nothing_of_creator_b() {
    let app = App::new().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let b_key = app
        .post("/api-keys", &json!({"name": "b key"}), Some(&b.access))
        .await;
    let b_key_id = b_key.body["id"].as_str().unwrap();

    let deactivate = format!("/users/{}/deactivate", b.user_id);
    let reply = app
        .post(&deactivate, &json!({}), Some(&a.access))
        .await
        .problem(404);
    assert!(!reply.body.to_string().contains(&b.email));
    app.delete(&format!("/api-keys/{b_key_id}"), &a.access)
        .await
        .problem(404);

    let users = app.get("/users", &a.access).await;
    let listed = users.body["users"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], a.user_id.to_string());
    let keys = app.get("/api-keys", &a.access).await;
    assert!(keys.body["api_keys"].as_array().unwrap().is_empty());

    // B is untouched.
    assert_eq!(app.get("/me", &b.access).await.status, 200);
    assert_eq!(
        app.get("/me", b_key.body["key"].as_str().unwrap())
            .await
            .status,
        200
    );
}
