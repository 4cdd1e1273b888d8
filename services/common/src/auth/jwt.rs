//! Local verification of access tokens against the Auth service's JWKS.
//!
//! Keys are cached; a token whose `kid` is unknown triggers one refetch (rate limited, so a
//! flood of forged `kid`s cannot hammer the Auth service). Only asymmetric algorithms are
//! accepted and the header's `alg` must match the key's, which defeats `alg: none` and the
//! HS256-with-the-public-key confusion.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};
use uuid::Uuid;

use super::Role;
use super::eddsa::{EdDsaKey, Expected};
use super::verified::VerifiedTokens;
use crate::error::AppError;

/// The claims of a CoachAI access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Unique token id.
    pub jti: String,
    /// The tenant.
    pub creator_id: Uuid,
    /// The user's role in the tenant.
    pub role: Role,
}

/// Where verification keys come from.
enum KeySource {
    /// A fixed set (the Auth service verifies its own tokens this way).
    Static,
    /// Fetched from a JWKS URL and refreshed on an unknown `kid`.
    Remote { url: String, http: reqwest::Client },
}

struct CachedKey {
    key: KeyKind,
    alg: Algorithm,
}

/// Ed25519 keys are kept decompressed for [`EdDsaKey::verify`]; RS256 stays on `jsonwebtoken`.
enum KeyKind {
    EdDsa(EdDsaKey),
    Jwt(DecodingKey),
}

/// Verifies access tokens; cheap to share behind an `Arc`.
pub struct JwtVerifier {
    issuer: String,
    audience: String,
    source: KeySource,
    keys: RwLock<HashMap<String, CachedKey>>,
    last_fetch: Mutex<Option<Instant>>,
    min_refetch: Duration,
    verified: VerifiedTokens,
    leeway: u64,
}

impl JwtVerifier {
    /// A verifier that fetches keys from `jwks_url` on first use and on unknown `kid`s.
    pub fn remote(jwks_url: &str, issuer: &str, audience: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        let source = KeySource::Remote {
            url: jwks_url.to_owned(),
            http,
        };
        Self::with_source(source, issuer, audience)
    }

    /// A verifier with a fixed key set.
    pub fn fixed(jwks: &JwkSet, issuer: &str, audience: &str) -> Result<Self, AppError> {
        let verifier = Self::with_source(KeySource::Static, issuer, audience);
        let keys = index(jwks)?;
        verifier
            .keys
            .try_write()
            .map_err(AppError::internal)?
            .extend(keys);
        Ok(verifier)
    }

    fn with_source(source: KeySource, issuer: &str, audience: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            source,
            keys: RwLock::new(HashMap::new()),
            last_fetch: Mutex::new(None),
            min_refetch: Duration::from_secs(5),
            verified: VerifiedTokens::new(),
            leeway: 30,
        }
    }

    /// Tolerated clock skew for `exp` and `nbf`, in seconds (default 30).
    pub fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and not-before. A token seen
    /// before skips the signature check (see [`super::verified`]) but not the time checks.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, AppError> {
        let digest = VerifiedTokens::digest(token);
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        if let Some(claims) = self.verified.get(&digest, leeway) {
            return Ok(claims);
        }
        let claims = self.verify_signed(token).await?;
        self.verified.insert(digest, &claims);
        Ok(claims)
    }

    /// The full check of a token not seen before.
    async fn verify_signed(&self, token: &str) -> Result<AccessClaims, AppError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| AppError::Unauthorized(format!("malformed access token: {e}")))?;
        let kid = header
            .kid
            .ok_or_else(|| AppError::Unauthorized("access token has no `kid`".into()))?;
        if !self.knows(&kid).await {
            self.refetch().await;
        }
        let keys = self.keys.read().await;
        let cached = keys.get(&kid).ok_or_else(|| {
            AppError::Unauthorized("access token signed by an unknown key".into())
        })?;
        if header.alg != cached.alg {
            return Err(AppError::Unauthorized(
                "access token algorithm does not match its key".into(),
            ));
        }
        match &cached.key {
            KeyKind::EdDsa(key) => Ok(key.verify(token, &self.expected())?),
            KeyKind::Jwt(key) => {
                jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation(cached.alg))
                    .map(|data| data.claims)
                    .map_err(|e| AppError::Unauthorized(format!("invalid access token: {e}")))
            }
        }
    }

    fn expected(&self) -> Expected<'_> {
        Expected {
            issuer: &self.issuer,
            audience: &self.audience,
            leeway: i64::try_from(self.leeway).unwrap_or(i64::MAX),
        }
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;
        validation
    }

    async fn knows(&self, kid: &str) -> bool {
        self.keys.read().await.contains_key(kid)
    }

    /// Refetches the JWKS unless another fetch happened within `min_refetch`.
    async fn refetch(&self) {
        let KeySource::Remote { url, http } = &self.source else {
            return;
        };
        let mut last = self.last_fetch.lock().await;
        if last.is_some_and(|at| at.elapsed() < self.min_refetch) {
            return;
        }
        *last = Some(Instant::now());
        self.replace_keys(url, fetch(http, url).await).await;
    }

    async fn replace_keys(&self, url: &str, fetched: Result<HashMap<String, CachedKey>, AppError>) {
        match fetched {
            Ok(keys) => {
                *self.keys.write().await = keys;
                self.verified.clear();
            }
            Err(err) => tracing::warn!(%url, error = %err, "could not refresh JWKS"),
        }
    }
}

async fn fetch(http: &reqwest::Client, url: &str) -> Result<HashMap<String, CachedKey>, AppError> {
    let response = http.get(url).send().await.map_err(AppError::internal)?;
    let jwks: JwkSet = response
        .error_for_status()
        .map_err(AppError::internal)?
        .json()
        .await
        .map_err(AppError::internal)?;
    index(&jwks)
}

fn index(jwks: &JwkSet) -> Result<HashMap<String, CachedKey>, AppError> {
    let mut keys = HashMap::new();
    for jwk in &jwks.keys {
        let (Some(kid), Some(alg)) = (jwk.common.key_id.clone(), algorithm_of(jwk)) else {
            continue;
        };
        let key = match alg {
            Algorithm::EdDSA => KeyKind::EdDsa(EdDsaKey::from_jwk(jwk)?),
            _ => KeyKind::Jwt(DecodingKey::from_jwk(jwk).map_err(AppError::internal)?),
        };
        keys.insert(kid, CachedKey { key, alg });
    }
    Ok(keys)
}

/// Only asymmetric signature algorithms are ever trusted.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, KeyAlgorithm};
    match (&jwk.algorithm, jwk.common.key_algorithm) {
        (AlgorithmParameters::OctetKeyPair(p), _) if p.curve == EllipticCurve::Ed25519 => {
            Some(Algorithm::EdDSA)
        }
        (AlgorithmParameters::RSA(_), Some(KeyAlgorithm::RS256) | None) => Some(Algorithm::RS256),
        _ => None,
    }
}
