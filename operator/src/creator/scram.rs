//! Credentials of tenant database roles: the password derived from the operator's key (so a
//! deleted Secret is made again with the same credential, and a rotation makes a new one), and
//! its SCRAM-SHA-256 verifier (RFC 5802/7677, PostgreSQL's format) — the only form in which it
//! reaches PostgreSQL — and the short hash of a credential that rolls the Deployments using it.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// PostgreSQL's default iteration count.
const ITERATIONS: u32 = 4096;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length: new_from_slice cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The password of `creator`'s role for the rotation `rotation` (256 bits, base64url).
pub fn password(key: &[u8], creator: &str, rotation: &str) -> String {
    let message = format!("coachai-tenant-db\u{0}{creator}\u{0}{rotation}");
    URL_SAFE_NO_PAD.encode(hmac(key, message.as_bytes()))
}

/// The SCRAM-SHA-256 verifier of `password` with `salt`.
pub fn verifier(password: &str, salt: &[u8; 16]) -> String {
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut salted);
    let client_key = hmac(&salted, b"Client Key");
    let stored_key = Sha256::digest(client_key);
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${ITERATIONS}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

/// The first 16 hex digits of SHA-256(`username`, `password`): names a credential in a pod
/// template annotation without revealing it.
pub fn credential_hash(username: &str, password: &str) -> String {
    let digest = Sha256::digest(format!("{username}\u{0}{password}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_inputs_give_the_same_password_and_a_rotation_another() {
        let a = password(b"key", "creator", "");
        assert_eq!(a, password(b"key", "creator", ""));
        assert_ne!(a, password(b"key", "creator", "2026-11-27"));
        assert_ne!(a, password(b"other key", "creator", ""));
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn a_credential_hash_is_16_hex_digits_and_changes_with_either_part() {
        let h = credential_hash("tenant_a", "p");
        assert_eq!(h.len(), 16);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(h, credential_hash("tenant_a_b", "p"));
        assert_ne!(h, credential_hash("tenant_a", "q"));
    }

    #[test]
    fn the_verifier_has_postgresqls_format() {
        let v = verifier("secret", &[7; 16]);
        let pattern = v.strip_prefix("SCRAM-SHA-256$4096:").unwrap();
        let (salt, keys) = pattern.split_once('$').unwrap();
        assert_eq!(STANDARD.decode(salt).unwrap(), [7; 16]);
        let (stored, server) = keys.split_once(':').unwrap();
        assert_eq!(STANDARD.decode(stored).unwrap().len(), 32);
        assert_eq!(STANDARD.decode(server).unwrap().len(), 32);
        assert!(!v.contains("secret"));
    }
}
