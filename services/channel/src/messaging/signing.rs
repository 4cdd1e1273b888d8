//! Webhook signatures, Stripe-style: `X-CoachAI-Timestamp: <unix seconds>` and
//! `X-CoachAI-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`, several
//! comma-separated `v1=` accepted (secret rotation). Verification is in constant time and
//! refuses timestamps outside [`TOLERANCE_SECS`] of now.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Header carrying the signing time.
pub const TIMESTAMP_HEADER: &str = "x-coachai-timestamp";
/// Header carrying the signatures.
pub const SIGNATURE_HEADER: &str = "x-coachai-signature";
/// How far a timestamp may be from now, either way.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a signed request is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// A header is absent or unreadable.
    #[error("missing or malformed X-CoachAI-Timestamp or X-CoachAI-Signature")]
    Malformed,
    /// The timestamp is more than five minutes from now.
    #[error("X-CoachAI-Timestamp is outside the 5-minute window")]
    Stale,
    /// No `v1=` signature matches.
    #[error("no X-CoachAI-Signature matches the body")]
    Mismatch,
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `X-CoachAI-Signature` value for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v1={}", hex(&tag))
}

/// Checks the headers against `body` at `now` (unix seconds); the matching signature (hex) on
/// success, for replay detection.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signatures: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<String, SignatureError> {
    let (Some(timestamp), Some(signatures)) = (timestamp, signatures) else {
        return Err(SignatureError::Malformed);
    };
    let time: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Malformed)?;
    if (now - time).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let expected = hex(&mac(secret, timestamp.trim(), body).finalize().into_bytes());
    signatures
        .split(',')
        .filter_map(|part| part.trim().strip_prefix("v1="))
        .find(|given| bool::from(given.as_bytes().ct_eq(expected.as_bytes())))
        .map(str::to_owned)
        .ok_or(SignatureError::Mismatch)
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_signature_verifies_against_the_same_body_and_time() {
        let signature = sign("whsec", NOW, b"{\"text\":\"hi\"}");
        let ts = NOW.to_string();
        let ok = verify(
            "whsec",
            Some(&ts),
            Some(&signature),
            b"{\"text\":\"hi\"}",
            NOW + 10,
        );
        assert_eq!(ok.map(|s| format!("v1={s}")), Ok(signature));
    }

    #[test]
    fn a_known_vector_matches_openssl() {
        // printf '1.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            sign("key", 1, b"{}"),
            "v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }

    #[test]
    fn a_changed_body_or_secret_is_a_mismatch() {
        let signature = sign("whsec", NOW, b"a");
        let ts = NOW.to_string();
        let tampered = verify("whsec", Some(&ts), Some(&signature), b"b", NOW);
        assert_eq!(tampered, Err(SignatureError::Mismatch));
        let other = verify("other", Some(&ts), Some(&signature), b"a", NOW);
        assert_eq!(other, Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_of_several_signatures_may_match_during_rotation() {
        let header = format!("v1=deadbeef, {}", sign("new", NOW, b"a"));
        let ts = NOW.to_string();
        assert!(verify("new", Some(&ts), Some(&header), b"a", NOW).is_ok());
    }

    #[test]
    fn timestamps_outside_five_minutes_are_stale() {
        let ts = NOW.to_string();
        let signature = sign("s", NOW, b"a");
        let late = verify("s", Some(&ts), Some(&signature), b"a", NOW + 301);
        assert_eq!(late, Err(SignatureError::Stale));
        let early = verify("s", Some(&ts), Some(&signature), b"a", NOW - 301);
        assert_eq!(early, Err(SignatureError::Stale));
        assert_eq!(
            verify("s", Some("soon"), Some(&signature), b"a", NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("s", None, Some(&signature), b"a", NOW),
            Err(SignatureError::Malformed)
        );
    }
}
