//! Secrets at rest: sealed with XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) under the
//! envelope key `CHANNEL_SECRETS_KEY`, each bound to its integration and field by the AEAD's
//! associated data, so a sealed value copied to another row or column does not open.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;

/// Bytes of the random nonce in front of every sealed value.
const NONCE_BYTES: usize = 24;

/// Why a key or a sealed value is unusable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// `CHANNEL_SECRETS_KEY` is absent or not base64 of 32 bytes.
    #[error("CHANNEL_SECRETS_KEY must be the base64 of 32 random bytes")]
    BadKey,
    /// The value was not sealed under this key for this integration and field.
    #[error("a sealed secret does not open under CHANNEL_SECRETS_KEY")]
    Unsealable,
}

/// The envelope key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// The key from its base64 form (`CHANNEL_SECRETS_KEY`).
    pub fn from_base64(key: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|_| CryptoError::BadKey)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| CryptoError::BadKey)?;
        Ok(Self { cipher })
    }

    /// `secret` sealed for `field` of integration `owner`: nonce then ciphertext.
    pub fn seal(&self, owner: Uuid, field: &str, secret: &str) -> Result<Vec<u8>, CryptoError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated(owner, field);
        let payload = Payload {
            msg: secret.as_bytes(),
            aad: &aad,
        };
        let sealed = self
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| CryptoError::Unsealable)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The secret [`Self::seal`] sealed for the same integration and field.
    pub fn open(&self, owner: Uuid, field: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        if sealed.len() < NONCE_BYTES {
            return Err(CryptoError::Unsealable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| CryptoError::Unsealable)?;
        let aad = associated(owner, field);
        let payload = Payload {
            msg: ciphertext,
            aad: &aad,
        };
        let clear = self
            .cipher
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| CryptoError::Unsealable)?;
        String::from_utf8(clear).map_err(|_| CryptoError::Unsealable)
    }
}

fn associated(owner: Uuid, field: &str) -> Vec<u8> {
    [owner.as_bytes().as_slice(), field.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretBox {
        SecretBox::from_base64(&STANDARD.encode([7u8; 32])).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_to_itself_and_is_not_in_clear() {
        let owner = Uuid::new_v4();
        let sealed = key().seal(owner, "bot_token", "123:ABC-secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            key().open(owner, "bot_token", &sealed).unwrap(),
            "123:ABC-secret"
        );
    }

    #[test]
    fn a_sealed_secret_does_not_open_for_another_row_field_or_key() {
        let owner = Uuid::new_v4();
        let sealed = key().seal(owner, "bot_token", "t").unwrap();
        assert!(key().open(Uuid::new_v4(), "bot_token", &sealed).is_err());
        assert!(key().open(owner, "api_key", &sealed).is_err());
        let other = SecretBox::from_base64(&STANDARD.encode([8u8; 32])).unwrap();
        assert!(other.open(owner, "bot_token", &sealed).is_err());
        assert!(key().open(owner, "bot_token", &sealed[..10]).is_err());
    }

    #[test]
    fn a_key_that_is_not_32_bytes_is_refused() {
        assert_eq!(
            SecretBox::from_base64("c2hvcnQ=").unwrap_err(),
            CryptoError::BadKey
        );
        assert!(SecretBox::from_base64("not base64!").is_err());
    }
}
