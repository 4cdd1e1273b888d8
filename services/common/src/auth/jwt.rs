//! Local verification of access tokens against the Auth service's JWKS.
//!
//! Keys are cached for the JWKS's `Cache-Control: max-age` (at most [`MAX_KEY_AGE`]) and then
//! refetched, so a withdrawn key stops verifying within that time; keys that vanished from the
//! set are dropped with every token verified by them. A token whose `kid` is unknown triggers
//! one refetch, rate limited to one per [`MIN_REFETCH`], so a flood of forged `kid`s neither
//! hammers the Auth service nor disturbs the remembered verifications of good tokens. Only
//! asymmetric algorithms are accepted and the header's `alg` must match the key's, which defeats
//! `alg: none` and the HS256-with-the-public-key confusion.

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

/// Longest time fetched keys are trusted without asking the Auth service again.
pub const MAX_KEY_AGE: Duration = Duration::from_secs(300);

/// Shortest time between two fetches of the JWKS.
pub const MIN_REFETCH: Duration = Duration::from_secs(5);

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
    /// A set handed over by the owner (the Auth service verifies its own tokens this way and
    /// replaces the set with [`JwtVerifier::replace`] when its key files change).
    Static,
    /// Fetched from a JWKS URL; refreshed when stale and on an unknown `kid`.
    Remote { url: String, http: reqwest::Client },
}

/// When the remote key set was fetched and how long it may be used.
#[derive(Debug, Clone, Copy)]
struct Fetched {
    at: Instant,
    max_age: Duration,
}

impl Fetched {
    fn is_stale(self) -> bool {
        self.at.elapsed() >= self.max_age
    }
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
    /// The last fetch attempt (successful or not), which rate-limits the next one.
    last_attempt: Mutex<Option<Instant>>,
    /// The last successful fetch; `None` until the first.
    fetched: std::sync::Mutex<Option<Fetched>>,
    verified: VerifiedTokens,
    leeway: u64,
}

impl JwtVerifier {
    /// A verifier that fetches keys from `jwks_url` on first use, when they are older than the
    /// JWKS's `max-age` (at most [`MAX_KEY_AGE`]), and on unknown `kid`s.
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

    /// A verifier with a key set of its owner's; see [`Self::replace`].
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

    /// Replaces the key set: tokens of keys that are no longer in `jwks` are refused from now
    /// on, including those verified before.
    pub async fn replace(&self, jwks: &JwkSet) -> Result<(), AppError> {
        let keys = index(jwks)?;
        *self.keys.write().await = keys;
        Ok(())
    }

    fn with_source(source: KeySource, issuer: &str, audience: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            source,
            keys: RwLock::new(HashMap::new()),
            last_attempt: Mutex::new(None),
            fetched: std::sync::Mutex::new(None),
            verified: VerifiedTokens::new(),
            leeway: 30,
        }
    }

    /// How many verified tokens are remembered (exposed for metrics and tests).
    pub fn remembered_tokens(&self) -> u64 {
        self.verified.len()
    }

    /// Tolerated clock skew for `exp` and `nbf`, in seconds (default 30).
    pub fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and not-before. A token seen
    /// before skips the signature check (see [`super::verified`]) but not the time checks, and
    /// only while the key that signed it is still in the set.
    pub async fn verify(&self, token: &str) -> Result<AccessClaims, AppError> {
        if self.is_stale() {
            self.refetch().await;
        }
        let digest = VerifiedTokens::digest(token);
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        if let Some((kid, claims)) = self.verified.get(&digest, leeway) {
            if self.knows(&kid).await {
                return Ok(claims);
            }
            self.verified.forget(&digest);
        }
        let (kid, claims) = self.verify_signed(token).await?;
        self.verified.insert(digest, kid, &claims);
        Ok(claims)
    }

    /// The full check of a token not seen before; returns the `kid` that verified it.
    async fn verify_signed(&self, token: &str) -> Result<(String, AccessClaims), AppError> {
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
        let claims = match &cached.key {
            KeyKind::EdDsa(key) => key.verify(token, &self.expected())?,
            KeyKind::Jwt(key) => {
                jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation(cached.alg))
                    .map(|data| data.claims)
                    .map_err(|e| AppError::Unauthorized(format!("invalid access token: {e}")))?
            }
        };
        Ok((kid, claims))
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

    /// Makes `keys` the set in use for `max_age`.
    async fn install(&self, keys: HashMap<String, CachedKey>, max_age: Duration) {
        *self.keys.write().await = keys;
        let fetched = Fetched {
            at: Instant::now(),
            max_age,
        };
        *self.fetched.lock().unwrap_or_else(|p| p.into_inner()) = Some(fetched);
    }

    /// Whether remote keys are missing or older than their `max-age`.
    fn is_stale(&self) -> bool {
        if !matches!(self.source, KeySource::Remote { .. }) {
            return false;
        }
        let fetched = *self.fetched.lock().unwrap_or_else(|p| p.into_inner());
        fetched.is_none_or(Fetched::is_stale)
    }

    /// Refetches the JWKS unless another attempt happened within [`MIN_REFETCH`]. A failed
    /// fetch keeps the previous keys: an Auth outage must not sign everybody out.
    async fn refetch(&self) {
        let KeySource::Remote { url, http } = &self.source else {
            return;
        };
        let mut last = self.last_attempt.lock().await;
        if last.is_some_and(|at| at.elapsed() < MIN_REFETCH) {
            return;
        }
        *last = Some(Instant::now());
        match load(http, url).await {
            Ok((keys, max_age)) => self.install(keys, max_age).await,
            Err(err) => keep_previous_keys(url, &err),
        }
    }
}

/// Fetches and indexes the key set at `url`, with how long it may be used.
async fn load(
    http: &reqwest::Client,
    url: &str,
) -> Result<(HashMap<String, CachedKey>, Duration), AppError> {
    let (jwks, max_age) = super::jwks::fetch(http, url).await?;
    Ok((index(&jwks)?, max_age))
}

fn keep_previous_keys(url: &str, err: &AppError) {
    tracing::warn!(%url, error = %err, "could not refresh JWKS; keeping the previous keys");
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
