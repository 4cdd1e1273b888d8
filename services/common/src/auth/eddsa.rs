//! EdDSA (Ed25519) access-token verification with each key's curve point decoded once.
//!
//! Own code rather than `jsonwebtoken::decode` because its `DecodingKey` keeps the raw key
//! bytes and decompresses the public point again on every call (a field square root, 9 % of
//! a first-sight verification's instructions). The checks are those `jwt.rs` asked of
//! `jsonwebtoken`, and a little stricter: the header's `alg` must be `EdDSA` and it may name no
//! `crit` extension; the signature over `header.payload` must pass what `verify_strict` checks
//! (canonical `S` and `R`, no small-order `R`, a key not of small order) without its second
//! square root (see `SMALL_ORDER`); the claims must name this issuer and audience and be
//! inside `exp`/`nbf` give or take the leeway. Every claim of [`AccessClaims`] is required by
//! its type, so a token missing `sub`, `exp` or `nbf` does not decode. The base64url parts must
//! be canonical (no padding, no stray trailing bits).

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use serde::Deserialize;

use super::jwt::AccessClaims;
use crate::error::AppError;

/// Why a key or a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdDsaError {
    /// The JWK is not an Ed25519 key, or its point is invalid or of small order.
    #[error("not a usable Ed25519 public key: {0}")]
    InvalidKey(&'static str),
    /// The token is not three canonical base64url parts, or its header is not JSON.
    #[error("malformed access token: {0}")]
    Malformed(&'static str),
    /// The header's `alg` is not `EdDSA`, or it asks for a `crit` extension.
    #[error("access token header is not plain `alg: EdDSA`")]
    Header,
    /// The signature does not verify under the key.
    #[error("access token signature does not verify")]
    Signature,
    /// The signed payload is not the JSON of [`AccessClaims`].
    #[error("access token claims are malformed: {0}")]
    Claims(String),
    /// `iss` is not the expected issuer.
    #[error("access token was issued by someone else")]
    Issuer,
    /// `aud` is not the expected audience.
    #[error("access token is meant for another audience")]
    Audience,
    /// `exp` has passed, beyond the leeway.
    #[error("access token has expired")]
    Expired,
    /// `nbf` is still ahead, beyond the leeway.
    #[error("access token is not valid yet")]
    NotYetValid,
}

impl From<EdDsaError> for AppError {
    fn from(err: EdDsaError) -> Self {
        match err {
            EdDsaError::InvalidKey(_) => AppError::internal(err),
            _ => AppError::Unauthorized(format!("invalid access token: {err}")),
        }
    }
}

/// What the claims of an accepted token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The only accepted `iss`.
    pub issuer: &'a str,
    /// The only accepted `aud`.
    pub audience: &'a str,
    /// Tolerated clock skew for `exp` and `nbf`, in seconds.
    pub leeway: i64,
}

impl Expected<'_> {
    /// Checks issuer, audience and the validity window at `now` (seconds since the epoch).
    fn check(&self, claims: &AccessClaims, now: i64) -> Result<(), EdDsaError> {
        if claims.iss != self.issuer {
            return Err(EdDsaError::Issuer);
        }
        if claims.aud != self.audience {
            return Err(EdDsaError::Audience);
        }
        if claims.exp < now.saturating_sub(self.leeway) {
            return Err(EdDsaError::Expired);
        }
        if claims.nbf > now.saturating_add(self.leeway) {
            return Err(EdDsaError::NotYetValid);
        }
        Ok(())
    }
}

/// The header fields that decide acceptance; the rest (`typ`, `kid`) the caller has used.
#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

/// An Ed25519 public key ready to verify tokens: decompressed and checked once, when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdDsaKey(VerifyingKey);

impl EdDsaKey {
    /// The key of a JWK of type `OKP`, curve `Ed25519`.
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, EdDsaError> {
        let AlgorithmParameters::OctetKeyPair(params) = &jwk.algorithm else {
            return Err(EdDsaError::InvalidKey("not an octet key pair"));
        };
        if params.curve != EllipticCurve::Ed25519 {
            return Err(EdDsaError::InvalidKey("not on curve Ed25519"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(&params.x)
            .map_err(|_| EdDsaError::InvalidKey("`x` is not base64url"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| EdDsaError::InvalidKey("`x` is not 32 bytes"))?;
        Self::from_bytes(&bytes)
    }

    /// The key whose compressed point is `bytes`; a small-order (weak) point is refused.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, EdDsaError> {
        let key = VerifyingKey::from_bytes(bytes)
            .map_err(|_| EdDsaError::InvalidKey("not a point of the curve"))?;
        if key.is_weak() {
            return Err(EdDsaError::InvalidKey("a point of small order"));
        }
        Ok(Self(key))
    }

    /// Verifies a compact JWS signed by this key and returns its claims once they meet
    /// `expected` at the current time.
    pub fn verify(&self, token: &str, expected: &Expected<'_>) -> Result<AccessClaims, EdDsaError> {
        let claims = self.verify_signature(token)?;
        expected.check(&claims, chrono::Utc::now().timestamp())?;
        Ok(claims)
    }

    /// Header and signature checks, then the claims decoded (not yet validated).
    fn verify_signature(&self, token: &str) -> Result<AccessClaims, EdDsaError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(EdDsaError::Malformed("not three dot-separated parts"));
        };
        check_header(&decode(header, "header is not base64url")?)?;
        let signature = Signature::from_slice(&decode(signature, "signature is not base64url")?)
            .map_err(|_| EdDsaError::Malformed("signature is not 64 bytes"))?;
        if SMALL_ORDER.contains(signature.r_bytes()) {
            return Err(EdDsaError::Signature);
        }
        let signing_input = &token[..header.len() + 1 + payload.len()];
        self.0
            .verify(signing_input.as_bytes(), &signature)
            .map_err(|_| EdDsaError::Signature)?;
        serde_json::from_slice(&decode(payload, "payload is not base64url")?)
            .map_err(|e| EdDsaError::Claims(e.to_string()))
    }
}

/// The canonical encodings of the eight points of small order (libsodium's list less its
/// non-canonical spellings). `verify` accepts only an `R` that is the canonical encoding of the
/// point it recomputes, so refusing these eight is `verify_strict`'s small-order check on `R`
/// without decompressing `R`, which costs as much as the key decompression saved here. The
/// key's own order is checked once, in [`EdDsaKey::from_bytes`].
const SMALL_ORDER: [[u8; 32]; 8] = [
    small_order(0x01, 0x00, 0x00),
    small_order(0xec, 0xff, 0x7f),
    small_order(0x00, 0x00, 0x00),
    small_order(0x00, 0x00, 0x80),
    ORDER_8_A,
    with_sign(ORDER_8_A),
    ORDER_8_B,
    with_sign(ORDER_8_B),
];

const ORDER_8_A: [u8; 32] = [
    0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
    0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
];

const ORDER_8_B: [u8; 32] = [
    0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
    0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
];

/// `first`, then 30 bytes of `middle`, then `last`.
const fn small_order(first: u8, middle: u8, last: u8) -> [u8; 32] {
    let mut bytes = [middle; 32];
    bytes[0] = first;
    bytes[31] = last;
    bytes
}

/// The same `y` with the sign bit of `x` set: the point's negation.
const fn with_sign(mut bytes: [u8; 32]) -> [u8; 32] {
    bytes[31] |= 0x80;
    bytes
}

/// One part of the token; `refusal` says which part failed.
fn decode(part: &str, refusal: &'static str) -> Result<Vec<u8>, EdDsaError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| EdDsaError::Malformed(refusal))
}

fn check_header(json: &[u8]) -> Result<(), EdDsaError> {
    let header: Header<'_> = serde_json::from_slice(json)
        .map_err(|_| EdDsaError::Malformed("header is not a JSON object with `alg`"))?;
    if header.alg != "EdDSA" || header.crit.is_some() {
        return Err(EdDsaError::Header);
    }
    Ok(())
}

#[cfg(test)]
#[path = "eddsa_tests.rs"]
mod tests;
