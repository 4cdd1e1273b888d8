//! The signing key ring: every key the service still accepts, and the one that signs.
//!
//! Keys come from a directory of `<kid>.pem` files (a mounted Kubernetes Secret), so rotation
//! needs no code: add the new key, point `SIGNING_KEY_ID` at it, and remove the old file once
//! the last token it signed has expired. Every key is published in the JWKS meanwhile.

mod live;

use std::path::Path;

use coachai_common::auth::keys::Ed25519Key;
use jsonwebtoken::jwk::JwkSet;

pub use live::{KeyDirectory, LiveKeys, follow};

/// Why the key ring could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The directory cannot be read.
    #[error("cannot read signing keys from {dir}: {reason}")]
    Unreadable {
        /// The directory.
        dir: String,
        /// The I/O error.
        reason: String,
    },
    /// A key file does not hold a usable Ed25519 PKCS#8 key.
    #[error("signing key file {file} is invalid: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// The directory holds no `.pem` file.
    #[error("no `<kid>.pem` signing key in {0}")]
    Empty(String),
    /// `SIGNING_KEY_ID` names a key that is not in the ring.
    #[error("the active signing key `{0}` is not among the loaded keys")]
    UnknownActive(String),
}

/// The keys of the service.
#[derive(Debug, Clone)]
pub struct KeyRing {
    active: usize,
    keys: Vec<Ed25519Key>,
}

impl KeyRing {
    /// A ring of `keys` signing with `active` (empty: the last key).
    pub fn new(keys: Vec<Ed25519Key>, active: &str) -> Result<Self, KeyError> {
        let index = if active.is_empty() {
            keys.len().checked_sub(1)
        } else {
            keys.iter().position(|k| k.kid() == active)
        };
        let active = index.ok_or_else(|| KeyError::UnknownActive(active.to_owned()))?;
        Ok(Self { active, keys })
    }

    /// One freshly generated key that lives as long as the process: tokens die on restart.
    pub fn ephemeral() -> Self {
        let kid = format!("ephemeral-{:08x}", rand::random::<u32>());
        Self {
            active: 0,
            keys: vec![Ed25519Key::generate(&kid)],
        }
    }

    /// Loads every `<kid>.pem` of `dir` in name order, ignoring dot-files (the `..data`
    /// links of a Secret mount).
    pub fn load(dir: &Path, active: &str) -> Result<Self, KeyError> {
        let unreadable = |e: std::io::Error| KeyError::Unreadable {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| is_key_file(path))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(KeyError::Empty(dir.display().to_string()));
        }
        let keys = files
            .iter()
            .map(|path| load_key(path))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(keys, active)
    }

    /// The key that signs new tokens.
    pub fn signer(&self) -> &Ed25519Key {
        &self.keys[self.active]
    }

    /// The public halves of every key, as published at `.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(Ed25519Key::public_jwk).collect(),
        }
    }
}

fn is_key_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(".");
    !name.starts_with('.') && name.ends_with(".pem") && path.is_file()
}

fn load_key(path: &Path) -> Result<Ed25519Key, KeyError> {
    let invalid = |reason: String| KeyError::Invalid {
        file: path.display().to_string(),
        reason,
    };
    let kid = path
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|kid| {
            kid.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        })
        .ok_or_else(|| invalid("the file name (the kid) must be [A-Za-z0-9._-]".into()))?;
    let pem = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    Ed25519Key::from_pem(kid, &pem).map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("coachai-keys-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_directory_of_pem_files_publishes_every_key_and_signs_with_the_chosen_one() {
        let dir = temp_dir();
        for kid in ["2026-01", "2026-02"] {
            let pem = Ed25519Key::generate(kid).to_pem().unwrap();
            std::fs::write(dir.join(format!("{kid}.pem")), pem).unwrap();
        }
        std::fs::write(dir.join("..data"), "ignored").unwrap();
        let ring = KeyRing::load(&dir, "").unwrap();
        assert_eq!(ring.signer().kid(), "2026-02");
        assert_eq!(ring.jwks().keys.len(), 2);
        let ring = KeyRing::load(&dir, "2026-01").unwrap();
        assert_eq!(ring.signer().kid(), "2026-01");
        assert!(matches!(
            KeyRing::load(&dir, "nope"),
            Err(KeyError::UnknownActive(_))
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_empty_or_broken_directory_is_a_start_up_error() {
        let dir = temp_dir();
        assert!(matches!(KeyRing::load(&dir, ""), Err(KeyError::Empty(_))));
        std::fs::write(dir.join("bad.pem"), "not a key").unwrap();
        assert!(matches!(
            KeyRing::load(&dir, ""),
            Err(KeyError::Invalid { .. })
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
