//! What the EdDSA fast path accepts and refuses: each forgery below must fail even though the
//! rest of the token is genuine.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{EdDsaError, EdDsaKey, Expected, SMALL_ORDER};
use crate::auth::keys::Ed25519Key;
use crate::auth::{AccessClaims, Role};

const ISS: &str = "https://auth.test";
const AUD: &str = "coachai";
const EXPECTED: Expected<'static> = Expected {
    issuer: ISS,
    audience: AUD,
    leeway: 0,
};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims() -> AccessClaims {
    let now = now();
    AccessClaims {
        iss: ISS.into(),
        aud: AUD.into(),
        sub: Uuid::new_v4(),
        exp: now + 60,
        iat: now,
        nbf: now,
        jti: Uuid::new_v4().to_string(),
        creator_id: Uuid::new_v4(),
        role: Role::Coach,
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A key pair with the signing half at hand, to sign any header we like.
fn pair() -> (SigningKey, EdDsaKey) {
    let signing = SigningKey::from_bytes(&rand::random());
    let key = EdDsaKey::from_bytes(signing.verifying_key().as_bytes()).unwrap();
    (signing, key)
}

fn signed(signing: &SigningKey, header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = signing.sign(input.as_bytes());
    format!("{input}.{}", b64(&signature.to_bytes()))
}

fn eddsa_header() -> Value {
    json!({"alg": "EdDSA", "typ": "JWT", "kid": "k1"})
}

fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

#[test]
fn a_token_of_the_auth_service_signer_yields_its_claims() {
    let signer = Ed25519Key::generate("k1");
    let key = EdDsaKey::from_jwk(&signer.public_jwk()).unwrap();
    let claims = claims();
    let token = signer.sign(&claims).unwrap();
    assert_eq!(key.verify(&token, &EXPECTED), Ok(claims));
}

#[test]
fn a_tampered_signature_is_refused() {
    let (signing, key) = pair();
    let token = signed(&signing, &eddsa_header(), &json!(claims()));
    let mut signature = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    signature[5] ^= 1;
    let forged = with_part(&token, 2, &b64(&signature));
    assert_eq!(key.verify(&forged, &EXPECTED), Err(EdDsaError::Signature));
}

#[test]
fn a_tampered_payload_is_refused() {
    let (signing, key) = pair();
    let token = signed(&signing, &eddsa_header(), &json!(claims()));
    let mut owner = claims();
    owner.role = Role::Owner;
    let forged = with_part(&token, 1, &b64(&serde_json::to_vec(&owner).unwrap()));
    assert_eq!(key.verify(&forged, &EXPECTED), Err(EdDsaError::Signature));
}

#[test]
fn a_genuine_signature_under_another_alg_header_is_refused() {
    let (signing, key) = pair();
    for alg in ["none", "HS256", "RS256", "ES256", "eddsa", "Ed25519"] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "k1"});
        let token = signed(&signing, &header, &json!(claims()));
        assert_eq!(
            key.verify(&token, &EXPECTED),
            Err(EdDsaError::Header),
            "{alg}"
        );
    }
    let no_alg = signed(&signing, &json!({"typ": "JWT"}), &json!(claims()));
    assert!(matches!(
        key.verify(&no_alg, &EXPECTED),
        Err(EdDsaError::Malformed(_))
    ));
}

#[test]
fn a_header_asking_for_a_critical_extension_is_refused() {
    let (signing, key) = pair();
    let header = json!({"alg": "EdDSA", "crit": ["b64"], "b64": false});
    let token = signed(&signing, &header, &json!(claims()));
    assert_eq!(key.verify(&token, &EXPECTED), Err(EdDsaError::Header));
}

#[test]
fn malformed_or_non_canonical_base64_is_refused_in_every_part() {
    let (signing, key) = pair();
    let token = signed(&signing, &eddsa_header(), &json!(claims()));
    let signature = token.split('.').nth(2).unwrap().to_owned();
    // The last character of a 64-byte signature carries 4 unused bits; setting one gives a
    // second spelling of the same bytes, which must not be a second valid token.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = alphabet
        .iter()
        .position(|&c| c == *signature.as_bytes().last().unwrap())
        .unwrap();
    let respelled = format!("{}{}", &signature[..85], alphabet[last ^ 1] as char);
    for (index, part) in [
        (2, respelled),
        (2, format!("{signature}==")),
        (2, signature.replace('-', "+").replace('_', "/") + "+"),
        (0, "e30=".to_owned()),
    ] {
        let forged = with_part(&token, index, &part);
        assert!(
            matches!(
                key.verify(&forged, &EXPECTED),
                Err(EdDsaError::Malformed(_))
            ),
            "part {index}: {part}"
        );
    }
    // A payload is decoded only under a valid signature, so sign the broken one.
    let input = format!("{}.not*base64", token.split('.').next().unwrap());
    let signature = b64(&signing.sign(input.as_bytes()).to_bytes());
    assert_eq!(
        key.verify(&format!("{input}.{signature}"), &EXPECTED),
        Err(EdDsaError::Malformed("payload is not base64url"))
    );
    for shape in ["", "a.b", "a.b.c.d", &format!("{token}.")] {
        assert!(matches!(
            key.verify(shape, &EXPECTED),
            Err(EdDsaError::Malformed(_))
        ));
    }
}

/// ℓ, the order of the Ed25519 base point, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[test]
fn a_non_canonical_signature_scalar_is_refused() {
    let (signing, key) = pair();
    let token = signed(&signing, &eddsa_header(), &json!(claims()));
    let mut signature = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    // S + ℓ satisfies the verification equation too; only a canonicity check refuses it.
    let mut carry = 0u16;
    for (byte, ell) in signature[32..].iter_mut().zip(ELL) {
        let sum = u16::from(*byte) + u16::from(ell) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    let forged = with_part(&token, 2, &b64(&signature));
    assert_eq!(key.verify(&forged, &EXPECTED), Err(EdDsaError::Signature));
}

#[test]
fn a_small_order_public_key_is_refused_when_loaded() {
    for point in SMALL_ORDER {
        assert!(matches!(
            EdDsaKey::from_bytes(&point),
            Err(EdDsaError::InvalidKey(_))
        ));
    }
}

#[test]
fn the_small_order_list_is_every_small_order_point_spelled_canonically() {
    // The curve has exactly eight points of small order; eight distinct canonical encodings of
    // weak points are therefore all of them.
    for point in SMALL_ORDER {
        let key = VerifyingKey::from_bytes(&point).unwrap();
        assert!(key.is_weak());
        assert_eq!(key.to_edwards().compress().to_bytes(), point, "canonical");
    }
    let distinct: std::collections::HashSet<_> = SMALL_ORDER.into_iter().collect();
    assert_eq!(distinct.len(), 8);
}

#[test]
fn the_signature_check_agrees_with_verify_strict() {
    let (signing, key) = pair();
    let token = signed(&signing, &eddsa_header(), &json!(claims()));
    let input = token.rsplit_once('.').unwrap().0.as_bytes();
    let genuine = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(2).unwrap())
        .unwrap();
    let mut forgeries: Vec<Vec<u8>> = (0..64 * 8)
        .map(|bit| {
            let mut signature = genuine.clone();
            signature[bit / 8] ^= 1 << (bit % 8);
            signature
        })
        .collect();
    for point in SMALL_ORDER {
        let mut signature = genuine.clone();
        signature[..32].copy_from_slice(&point);
        forgeries.push(signature);
    }
    let strict = VerifyingKey::from_bytes(signing.verifying_key().as_bytes()).unwrap();
    for signature in std::iter::once(&genuine).chain(&forgeries) {
        let ours = key
            .verify(&with_part(&token, 2, &b64(signature)), &EXPECTED)
            .is_ok();
        let theirs = strict
            .verify_strict(input, &Signature::from_slice(signature).unwrap())
            .is_ok();
        assert_eq!(ours, theirs, "{signature:?}");
    }
}

#[test]
fn issuer_and_audience_must_match_exactly() {
    let (signing, key) = pair();
    let mut iss = claims();
    iss.iss = format!("{ISS}/");
    let token = signed(&signing, &eddsa_header(), &json!(iss));
    assert_eq!(key.verify(&token, &EXPECTED), Err(EdDsaError::Issuer));
    let mut aud = json!(claims());
    aud["aud"] = json!([AUD]);
    let token = signed(&signing, &eddsa_header(), &aud);
    assert!(matches!(
        key.verify(&token, &EXPECTED),
        Err(EdDsaError::Claims(_))
    ));
    let mut aud = claims();
    aud.aud = "someone-else".into();
    let token = signed(&signing, &eddsa_header(), &json!(aud));
    assert_eq!(key.verify(&token, &EXPECTED), Err(EdDsaError::Audience));
}

#[test]
fn a_token_missing_a_required_claim_is_refused() {
    let (signing, key) = pair();
    for claim in ["sub", "exp", "nbf", "iss", "aud"] {
        let mut value = json!(claims());
        value.as_object_mut().unwrap().remove(claim);
        let token = signed(&signing, &eddsa_header(), &value);
        assert!(
            matches!(key.verify(&token, &EXPECTED), Err(EdDsaError::Claims(_))),
            "{claim}"
        );
    }
}

#[test]
fn expiry_and_not_before_honour_the_leeway() {
    let with_leeway = Expected {
        leeway: 30,
        ..EXPECTED
    };
    let now = now();
    let mut late = claims();
    late.exp = now - 10;
    assert_eq!(EXPECTED.check(&late, now), Err(EdDsaError::Expired));
    assert_eq!(with_leeway.check(&late, now), Ok(()));
    late.exp = now - 31;
    assert_eq!(with_leeway.check(&late, now), Err(EdDsaError::Expired));
    let mut early = claims();
    early.nbf = now + 10;
    assert_eq!(EXPECTED.check(&early, now), Err(EdDsaError::NotYetValid));
    assert_eq!(with_leeway.check(&early, now), Ok(()));
    early.nbf = now + 31;
    assert_eq!(with_leeway.check(&early, now), Err(EdDsaError::NotYetValid));
}

#[test]
fn an_expired_token_is_refused_end_to_end() {
    let (signing, key) = pair();
    let mut expired = claims();
    expired.exp = now() - 5;
    let token = signed(&signing, &eddsa_header(), &json!(expired));
    assert_eq!(key.verify(&token, &EXPECTED), Err(EdDsaError::Expired));
}
