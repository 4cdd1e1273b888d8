//! A remote verifier against a JWKS server on a real socket: it follows key withdrawal on the
//! JWKS's `max-age`, and forged `kid`s neither hammer the server nor empty its memory of
//! verified tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use coachai_common::auth::keys::Ed25519Key;
use coachai_common::auth::{AccessClaims, JwtVerifier, Role};
use jsonwebtoken::jwk::JwkSet;
use tokio::sync::RwLock;
use uuid::Uuid;

const ISS: &str = "https://auth.test";
const AUD: &str = "coachai";

fn claims() -> AccessClaims {
    let now = chrono::Utc::now().timestamp();
    AccessClaims {
        iss: ISS.into(),
        aud: AUD.into(),
        sub: Uuid::new_v4(),
        exp: now + 600,
        iat: now,
        nbf: now,
        jti: Uuid::new_v4().to_string(),
        creator_id: Uuid::new_v4(),
        role: Role::Client,
    }
}

/// A JWKS endpoint whose key set the test changes, counting the fetches it serves.
struct JwksServer {
    keys: Arc<RwLock<JwkSet>>,
    hits: Arc<AtomicUsize>,
    url: String,
}

impl JwksServer {
    async fn start(keys: Vec<&Ed25519Key>, max_age: u64) -> Self {
        let set = JwkSet {
            keys: keys.iter().map(|k| k.public_jwk()).collect(),
        };
        let keys = Arc::new(RwLock::new(set));
        let hits = Arc::new(AtomicUsize::new(0));
        let (served, counted) = (keys.clone(), hits.clone());
        let app = Router::new().route(
            "/jwks.json",
            get(move || {
                let (served, counted) = (served.clone(), counted.clone());
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    let cache = format!("public, max-age={max_age}");
                    (
                        [(header::CACHE_CONTROL, cache)],
                        axum::Json(served.read().await.clone()),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { keys, hits, url }
    }
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_once_the_jwks_max_age_has_passed() {
    let (old, new) = (Ed25519Key::generate("old"), Ed25519Key::generate("new"));
    let server = JwksServer::start(vec![&old, &new], 1).await;
    let verifier = JwtVerifier::remote(&server.url, ISS, AUD);
    let (old_token, new_token) = (old.sign(&claims()).unwrap(), new.sign(&claims()).unwrap());
    assert!(verifier.verify(&old_token).await.is_ok());
    assert!(verifier.verify(&new_token).await.is_ok());

    *server.keys.write().await = JwkSet {
        keys: vec![new.public_jwk()],
    };
    let withdrawn = Instant::now();
    while verifier.verify(&old_token).await.is_ok() {
        assert!(
            withdrawn.elapsed() < Duration::from_secs(10),
            "old key still trusted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // max-age=1 is raised to the 5 s floor between fetches; never sooner than that bound.
    assert!(
        withdrawn.elapsed() <= Duration::from_secs(7),
        "{:?}",
        withdrawn.elapsed()
    );
    assert!(
        verifier.verify(&new_token).await.is_ok(),
        "the remaining key still works"
    );
}

#[tokio::test]
async fn forged_kids_neither_hammer_the_jwks_nor_forget_verified_tokens() {
    let key = Ed25519Key::generate("real");
    let server = JwksServer::start(vec![&key], 300).await;
    let verifier = JwtVerifier::remote(&server.url, ISS, AUD);
    let good = key.sign(&claims()).unwrap();
    assert!(verifier.verify(&good).await.is_ok());
    assert_eq!(verifier.remembered_tokens(), 1);

    // Two floods 5 s apart: the second one is allowed one refetch, which replaces the key set.
    for round in 0..2 {
        for _ in 0..50 {
            let forged = Ed25519Key::generate(&format!("forged-{}", Uuid::new_v4()));
            assert!(
                verifier
                    .verify(&forged.sign(&claims()).unwrap())
                    .await
                    .is_err()
            );
        }
        if round == 0 {
            tokio::time::sleep(Duration::from_millis(5_100)).await;
        }
    }
    let hits = server.hits.load(Ordering::SeqCst);
    assert_eq!(
        hits, 2,
        "100 forged kids over 5 s may cause one refetch, not {hits}"
    );
    assert_eq!(
        verifier.remembered_tokens(),
        1,
        "the good token is still remembered"
    );
    assert!(verifier.verify(&good).await.is_ok());
}
