//! Withdrawing a signing key (removing its file) ends its tokens without a restart: in the
//! Auth service at the next key reload, and in every other service once the JWKS's `max-age`
//! has passed. Here a remote verifier, as the other services use, talks to the real Auth
//! service over a socket.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use coachai_auth::keys::{KeyDirectory, KeyRing};
use coachai_auth::{AuthState, Config, router};
use coachai_common::auth::JwtVerifier;
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::tenancy::CreatorId;

use crate::harness::App;

fn key_dir(keys: &[&Ed25519Key]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("coachai-rotation-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    for key in keys {
        std::fs::write(
            dir.join(format!("{}.pem", key.kid())),
            key.to_pem().unwrap(),
        )
        .unwrap();
    }
    dir
}

/// The Auth service on a real socket, following `dir` every 200 ms; its base URL.
async fn serve(app: &App, dir: &Path, config: &Config) -> String {
    let ring = KeyRing::load(dir, "new").unwrap();
    let state = AuthState::build(app.db.clone(), ring, config).unwrap();
    state.follow_keys(KeyDirectory {
        dir: dir.to_path_buf(),
        active: "new".into(),
        period: Duration::from_millis(200),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = router(state, config).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    base
}

#[tokio::test]
async fn a_removed_key_file_is_refused_by_remote_verifiers_within_the_documented_time() {
    let app = App::new().await;
    let owner = app.signup().await;
    let (old, new) = (Ed25519Key::generate("old"), Ed25519Key::generate("new"));
    let dir = key_dir(&[&old, &new]);
    let mut config = app.config.clone();
    config.jwks_max_age_secs = 1;
    let base = serve(&app, &dir, &config).await;

    // A token the old key signed for a real user, as if issued before the rotation.
    let issuer = &app.state.issuer;
    let claims = issuer.claims(
        owner.user_id,
        CreatorId(owner.creator_id),
        coachai_common::auth::Role::Owner,
    );
    let old_token = old.sign(&claims).unwrap();
    let jwks_url = format!("{base}/api/v1/auth/.well-known/jwks.json");
    let (iss, aud) = (&config.common.jwt_issuer, &config.common.jwt_audience);
    let remote = JwtVerifier::remote(&jwks_url, iss, aud);
    assert!(remote.verify(&old_token).await.is_ok());
    let http = reqwest::Client::new();
    let me = |token: String| {
        let request = http
            .get(format!("{base}/api/v1/auth/me"))
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(me(old_token.clone()).await, 200);

    std::fs::remove_file(dir.join("old.pem")).unwrap();
    let removed = Instant::now();
    while me(old_token.clone()).await != 401 {
        assert!(
            removed.elapsed() < Duration::from_secs(3),
            "the Auth service still trusts it"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let jwks: serde_json::Value = http
        .get(&jwks_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1, "{jwks}");
    // Reload period + max-age (raised to the verifiers' 5 s floor between fetches).
    while remote.verify(&old_token).await.is_ok() {
        assert!(
            removed.elapsed() < Duration::from_secs(8),
            "remote verifier still trusts it"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    std::fs::remove_dir_all(dir).unwrap();
}
