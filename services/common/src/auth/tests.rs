//! Local verification: what is accepted, what is refused, and that remembering verified
//! tokens never extends what a token may do.

use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use uuid::Uuid;

use super::keys::Ed25519Key;
use super::{AccessClaims, Authenticator, JwtVerifier, Role};

const ISS: &str = "https://auth.test";
const AUD: &str = "coachai";

fn claims(exp_in: i64) -> AccessClaims {
    let now = chrono::Utc::now().timestamp();
    AccessClaims {
        iss: ISS.into(),
        aud: AUD.into(),
        sub: Uuid::new_v4(),
        exp: now + exp_in,
        iat: now,
        nbf: now,
        jti: Uuid::new_v4().to_string(),
        creator_id: Uuid::new_v4(),
        role: Role::Coach,
    }
}

fn verifier(key: &Ed25519Key) -> JwtVerifier {
    let jwks = JwkSet {
        keys: vec![key.public_jwk()],
    };
    JwtVerifier::fixed(&jwks, ISS, AUD).unwrap().with_leeway(0)
}

#[tokio::test]
async fn a_valid_token_yields_its_principal() {
    let key = Ed25519Key::generate("k1");
    let token = key.sign(&claims(60)).unwrap();
    let revocations = std::sync::Arc::new(super::Revocations::new("redis://127.0.0.1:1"));
    let authenticator = Authenticator::new(std::sync::Arc::new(verifier(&key)), revocations);
    let principal = authenticator.authenticate(&token).await.unwrap();
    assert_eq!(principal.role, Role::Coach);
    let again = authenticator.authenticate(&token).await.unwrap();
    assert_eq!(
        principal, again,
        "a remembered verification gives the same principal"
    );
}

#[tokio::test]
async fn a_remembered_token_still_expires_on_time() {
    let key = Ed25519Key::generate("k1");
    let verifier = verifier(&key);
    let token = key.sign(&claims(1)).unwrap();
    assert!(verifier.verify(&token).await.is_ok());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err.status().as_u16(), 401);
}

#[tokio::test]
async fn a_token_altered_after_a_successful_verification_is_refused() {
    let key = Ed25519Key::generate("k1");
    let verifier = verifier(&key);
    let token = key.sign(&claims(60)).unwrap();
    assert!(verifier.verify(&token).await.is_ok());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged = claims(60);
    forged.role = Role::Owner;
    parts[1] = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        serde_json::to_vec(&forged).unwrap(),
    );
    assert!(verifier.verify(&parts.join(".")).await.is_err());
}

#[tokio::test]
async fn a_token_of_another_key_is_refused() {
    let (ours, theirs) = (Ed25519Key::generate("k1"), Ed25519Key::generate("k1"));
    let token = theirs.sign(&claims(60)).unwrap();
    assert!(verifier(&ours).verify(&token).await.is_err());
}
