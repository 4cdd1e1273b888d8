//! Ed25519 signing keys: generation, PKCS#8 PEM files, and their public JWKs.
//!
//! The Auth service signs with one active key and publishes every key it still accepts, so a
//! key can rotate with no downtime: add the new key, switch signing, drop the old one after
//! the access-token lifetime.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::error::AppError;

/// One Ed25519 key with its key id.
#[derive(Clone)]
pub struct Ed25519Key {
    kid: String,
    signing: SigningKey,
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Key")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Ed25519Key {
    /// A fresh random key.
    pub fn generate(kid: &str) -> Self {
        let seed: [u8; 32] = rand::random();
        Self {
            kid: kid.to_owned(),
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// Loads a PKCS#8 PEM private key (`openssl genpkey -algorithm ed25519`).
    pub fn from_pem(kid: &str, pem: &str) -> Result<Self, AppError> {
        let signing = SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| AppError::internal(format!("invalid Ed25519 key {kid}: {e}")))?;
        Ok(Self {
            kid: kid.to_owned(),
            signing,
        })
    }

    /// The key as PKCS#8 PEM.
    pub fn to_pem(&self) -> Result<String, AppError> {
        let pem = self
            .signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(AppError::internal)?;
        Ok(pem.to_string())
    }

    /// The key id published in the JWKS and token headers.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs `claims` as a compact JWT with `alg: EdDSA` and this key's `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, AppError> {
        let pem = self.to_pem()?;
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).map_err(AppError::internal)?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &key).map_err(AppError::internal)
    }

    /// The public half as a JWK.
    pub fn public_jwk(&self) -> Jwk {
        let x = URL_SAFE_NO_PAD.encode(self.signing.verifying_key().as_bytes());
        Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(self.kid.clone()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_keeps_the_key() {
        let key = Ed25519Key::generate("k1");
        let again = Ed25519Key::from_pem("k1", &key.to_pem().unwrap()).unwrap();
        assert_eq!(key.public_jwk(), again.public_jwk());
    }

    #[test]
    fn garbage_pem_is_an_error_not_a_panic() {
        assert!(Ed25519Key::from_pem("k", "-----BEGIN PRIVATE KEY-----\nAAAA\n").is_err());
    }
}
