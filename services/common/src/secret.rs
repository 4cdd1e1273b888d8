//! Opaque secrets (refresh tokens, invitation tokens, WebSocket tickets): 256 random bits in
//! unpadded base64url, stored only as their SHA-256. A fast hash suffices: the secrets are
//! random, not guessable passwords.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Length of an [`opaque`] secret in characters.
pub const OPAQUE_CHARS: usize = 43;

/// A new random secret.
pub fn opaque() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a secret, the only form in which it is stored.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The same hash as lower-case hex (for keys in Redis).
pub fn hash_hex(secret: &str) -> String {
    hash(secret).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_url_safe_and_of_fixed_length() {
        let (a, b) = (opaque(), opaque());
        assert_ne!(a, b);
        assert_eq!(a.len(), OPAQUE_CHARS);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn the_hex_hash_is_the_hash() {
        assert_eq!(hash_hex("abc").len(), 64);
        assert!(hash_hex("abc").starts_with("ba7816bf"));
        assert_eq!(hash("abc").len(), 32);
    }
}
