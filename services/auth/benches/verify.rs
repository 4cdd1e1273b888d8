//! Cost of verifying one access token locally, as every service does per request
//! (target: under 50 µs). Run: `cargo bench -p coachai-auth --bench verify`.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use coachai_auth::keys::{KeyRing, LiveKeys};
use coachai_auth::tokens::TokenIssuer;
use coachai_common::auth::{Authenticator, JwtVerifier, Role};
use coachai_common::tenancy::CreatorId;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use uuid::Uuid;

fn verify(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        return;
    };
    let keys = KeyRing::ephemeral();
    let (iss, aud) = ("https://auth.coachai.local", "coachai");
    let Ok(verifier) = JwtVerifier::fixed(&keys.jwks(), iss, aud) else {
        return;
    };
    let verifier = Arc::new(verifier);
    let issuer = TokenIssuer::new(LiveKeys::new(keys), iss, aud, Duration::from_secs(900));
    let Ok(token) = issuer.access(Uuid::new_v4(), CreatorId(Uuid::new_v4()), Role::Client) else {
        return;
    };
    let token = token.token;
    c.bench_function("JwtVerifier::verify (EdDSA, first sight)", |b| {
        b.to_async(&runtime).iter_batched(
            || {
                let user = Uuid::new_v4();
                issuer
                    .access(user, CreatorId(user), Role::Client)
                    .map(|t| t.token)
                    .unwrap_or_default()
            },
            |fresh| {
                let verifier = verifier.clone();
                async move { verifier.verify(&fresh).await.is_ok() }
            },
            BatchSize::SmallInput,
        );
    });
    c.bench_function("JwtVerifier::verify (EdDSA, seen before)", |b| {
        b.to_async(&runtime)
            .iter(|| async { verifier.verify(&token).await.is_ok() });
    });
    let revocations = Arc::new(coachai_common::auth::Revocations::new(
        "redis://127.0.0.1:1",
    ));
    let authenticator = Authenticator::new(verifier.clone(), revocations);
    c.bench_function("Authenticator::authenticate (JWT)", |b| {
        b.to_async(&runtime)
            .iter(|| async { authenticator.authenticate(&token).await.is_ok() });
    });
    c.bench_function("TokenIssuer::access (sign)", |b| {
        b.iter(|| {
            issuer
                .access(Uuid::nil(), CreatorId(Uuid::nil()), Role::Client)
                .is_ok()
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = verify
}
criterion_main!(benches);
