//! Where a first-sight verification's time goes: the `jsonwebtoken::decode` path `JwtVerifier`
//! used before and the [`EdDsaKey`] path it uses now, on the same token, then each step alone.
//! Timed in thread CPU time, so a busy machine (a build next door) stretches neither side.
//! Run: `cargo bench -p coachai-auth --bench first_sight`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use coachai_auth::keys::{KeyRing, LiveKeys};
use coachai_auth::tokens::TokenIssuer;
use coachai_common::auth::eddsa::{EdDsaKey, Expected};
use coachai_common::auth::{AccessClaims, Role};
use coachai_common::tenancy::CreatorId;
use criterion::{Bencher, Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rustix::time::{ClockId, clock_gettime};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const ISS: &str = "https://auth.coachai.local";
const AUD: &str = "coachai";

/// CPU time this thread has used.
fn thread_cpu() -> Duration {
    let now = clock_gettime(ClockId::ThreadCPUTime);
    let secs = u64::try_from(now.tv_sec).unwrap_or_default();
    let nanos = u32::try_from(now.tv_nsec).unwrap_or_default();
    Duration::new(secs, nanos)
}

/// Times `routine` in thread CPU time rather than wall time.
fn on_cpu<O>(b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
    b.iter_custom(|iters| {
        let start = thread_cpu();
        for _ in 0..iters {
            black_box(routine());
        }
        thread_cpu().saturating_sub(start)
    });
}

/// A token of the Auth service's signer and its public key.
fn token() -> Option<(String, jsonwebtoken::jwk::Jwk)> {
    let keys = KeyRing::ephemeral();
    let jwk = keys.signer().public_jwk();
    let issuer = TokenIssuer::new(LiveKeys::new(keys), ISS, AUD, Duration::from_secs(900));
    let user = Uuid::new_v4();
    let token = issuer.access(user, CreatorId(user), Role::Client).ok()?;
    Some((token.token, jwk))
}

/// The old path and the new one on the same token.
fn paths(c: &mut Criterion) {
    let Some((token, jwk)) = token() else { return };
    let (Ok(old_key), Ok(new_key)) = (DecodingKey::from_jwk(&jwk), EdDsaKey::from_jwk(&jwk)) else {
        return;
    };
    // What `JwtVerifier` asked of `jsonwebtoken` before the EdDSA path existed.
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISS]);
    validation.set_audience(&[AUD]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 30;
    let expected = Expected {
        issuer: ISS,
        audience: AUD,
        leeway: 30,
    };
    let old = |t: &str| jsonwebtoken::decode::<AccessClaims>(t, &old_key, &validation);
    assert!(old(&token).is_ok() && new_key.verify(&token, &expected).is_ok());

    let mut group = c.benchmark_group("first sight");
    group.bench_function("jsonwebtoken_decode", |b| {
        on_cpu(b, || old(black_box(&token)).is_ok());
    });
    group.bench_function("eddsa_fast", |b| {
        on_cpu(b, || new_key.verify(black_box(&token), &expected).is_ok());
    });
    group.finish();
}

/// Each step of a first sight alone.
fn steps(c: &mut Criterion) {
    let Some((token, jwk)) = token() else { return };
    let jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(params) = &jwk.algorithm else {
        return;
    };
    let public: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&params.x)
        .unwrap_or_default()
        .try_into()
        .unwrap_or([0; 32]);
    let parts: Vec<&str> = token.split('.').collect();
    let input = &token.as_bytes()[..parts[0].len() + 1 + parts[1].len()];
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
    let (Ok(signature), Ok(key)) = (
        Signature::from_slice(&signature),
        VerifyingKey::from_bytes(&public),
    ) else {
        return;
    };
    assert!(key.verify_strict(input, &signature).is_ok());

    let mut group = c.benchmark_group("first sight step");
    group.bench_function("jsonwebtoken::decode_header", |b| {
        on_cpu(b, || jsonwebtoken::decode_header(black_box(&token)).is_ok());
    });
    group.bench_function("base64 + serde_json claims", |b| {
        on_cpu(b, || {
            let json = URL_SAFE_NO_PAD.decode(black_box(parts[1]));
            serde_json::from_slice::<AccessClaims>(&json.unwrap_or_default()).is_ok()
        });
    });
    group.bench_function("VerifyingKey::from_bytes (point decompression)", |b| {
        on_cpu(b, || VerifyingKey::from_bytes(black_box(&public)).is_ok());
    });
    group.bench_function("VerifyingKey::verify", |b| {
        on_cpu(b, || key.verify(black_box(input), &signature).is_ok());
    });
    group.bench_function("VerifyingKey::verify_strict", |b| {
        on_cpu(b, || {
            key.verify_strict(black_box(input), &signature).is_ok()
        });
    });
    group.bench_function("SHA-256 of the token (verified-token cache key)", |b| {
        on_cpu(b, || Sha256::digest(black_box(token.as_bytes())));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = paths, steps
}
criterion_main!(benches);
