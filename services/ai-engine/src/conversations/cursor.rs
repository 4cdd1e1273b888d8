//! The opaque cursor of the conversation listing: base64url (no padding) of the JSON position
//! `{"t": created_at, "id": id}` of the last conversation of a page, decoded strictly.
//!
//! Not signed: a forged cursor can only move the position within the caller's own
//! conversations (the query is scoped to the tenant and the user), so a key would protect
//! nothing. Anything that is not exactly a cursor this module made is refused with a 400.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest cursor accepted; real ones are about 100 characters.
const MAX_LEN: usize = 256;

/// A position: conversations strictly after it in (created_at DESC, id DESC) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// `created_at` of the last conversation shown.
    #[serde(rename = "t")]
    pub created_at: DateTime<Utc>,
    /// `id` of the last conversation shown.
    pub id: Uuid,
}

/// The text is not a cursor this API returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("`cursor` is not a cursor this API returned; start again without it")]
pub struct BadCursor;

impl Cursor {
    /// The opaque text a client sends back as `?cursor=`.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
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

    #[test]
    fn a_cursor_round_trips_and_anything_else_is_refused() {
        let cursor = Cursor {
            created_at: "2026-11-27T12:00:00.123456Z".parse().unwrap(),
            id: Uuid::new_v4(),
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text), Ok(cursor));
        for bad in [
            "",
            "x",
            &text[..text.len() - 2],
            &format!("{text}A"),
            &"A".repeat(300),
        ] {
            assert_eq!(Cursor::decode(bad), Err(BadCursor), "{bad}");
        }
    }
}
