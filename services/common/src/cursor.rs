//! The opaque cursor of every keyset listing ordered by `(created_at DESC, id DESC)` (the Hub's
//! library, the AI Engine's conversations): base64url (no padding) of the JSON position
//! `{"t": created_at, "id": id}` of the last row of a page, decoded strictly.
//!
//! Not signed: every replica must read every other replica's cursors, and a forged cursor can
//! only move the position within the caller's own rows (RLS and the query scope it), so a keyed
//! hash would add a shared secret without protecting anything. Anything that is not exactly a
//! cursor this module made is refused, so a client gets a 400, never a 500.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest cursor accepted; real ones are about 100 characters.
const MAX_LEN: usize = 256;

/// A position in a listing: rows strictly after it in (created_at DESC, id DESC) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// `created_at` of the last row shown.
    #[serde(rename = "t")]
    pub created_at: DateTime<Utc>,
    /// `id` of the last row shown.
    pub id: Uuid,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
#[error("`cursor` is not a cursor this API returned; start again without it")]
pub struct BadCursor;

impl Cursor {
    /// The opaque text a client sends back as `?cursor=`.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// The position `text` names, or [`BadCursor`] for anything [`Cursor::encode`] did not make.
    pub fn decode(text: &str) -> Result<Self, BadCursor> {
        if text.is_empty() || text.len() > MAX_LEN {
            return Err(BadCursor);
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| BadCursor)?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| BadCursor)?;
        if cursor.encode() == text {
            Ok(cursor)
        } else {
            Err(BadCursor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cursor {
        Cursor {
            created_at: "2026-11-27T12:00:00.123456Z".parse().unwrap(),
            id: Uuid::new_v4(),
        }
    }

    #[test]
    fn a_cursor_survives_the_round_trip_with_microseconds() {
        let cursor = sample();
        assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
    }

    #[test]
    fn garbage_truncated_or_reshaped_cursors_are_refused() {
        let text = sample().encode();
        let extra = URL_SAFE_NO_PAD.encode(br#"{"t":"2026-11-27T12:00:00Z","id":"x","more":1}"#);
        let spaced = URL_SAFE_NO_PAD.encode(
            br#"{ "t":"2026-11-27T12:00:00Z","id":"8c5b2a52-8f5e-4c59-9d4b-6a1f1f0e0d11"}"#,
        );
        for bad in [
            "",
            "not a cursor",
            &text[..text.len() - 3],
            &format!("{text}AA"),
            &extra,
            &spaced,
            &"A".repeat(400),
        ] {
            assert_eq!(Cursor::decode(bad), Err(BadCursor), "{bad}");
        }
    }
}
