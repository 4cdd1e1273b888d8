//! The key ring in use, and the task that follows the key directory (a mounted Secret).
//!
//! Rotation and withdrawal need no restart: every `period` the directory is read again; when
//! the keys or the active key changed, new tokens are signed with the new ring, the JWKS
//! publishes it, and this service's own verifier drops withdrawn keys at once. A directory
//! that cannot be read or holds a broken key keeps the previous ring (and says so in the log):
//! a half-written Secret must not stop sign-ins.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use coachai_common::auth::JwtVerifier;
use tokio::task::JoinHandle;

use super::KeyRing;

/// The current key ring, shared by the token issuer and the JWKS route.
#[derive(Debug, Clone)]
pub struct LiveKeys {
    current: Arc<RwLock<Arc<KeyRing>>>,
}

impl LiveKeys {
    /// Starts with `ring`.
    pub fn new(ring: KeyRing) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(ring))),
        }
    }

    /// The ring in use now.
    pub fn current(&self) -> Arc<KeyRing> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Replaces the ring; `true` when it differs from the one in use.
    pub fn replace(&self, ring: KeyRing) -> bool {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let changed =
            current.jwks() != ring.jwks() || current.signer().kid() != ring.signer().kid();
        if changed {
            *current = Arc::new(ring);
        }
        changed
    }
}

/// Where and how often to read the keys again.
#[derive(Debug, Clone)]
pub struct KeyDirectory {
    /// The directory of `<kid>.pem` files.
    pub dir: PathBuf,
    /// The `kid` that signs; empty for the last file in name order.
    pub active: String,
    /// Time between two reads.
    pub period: Duration,
}

/// Follows `source` until the runtime shuts down, updating `live` and `verifier`.
pub fn follow(source: KeyDirectory, live: LiveKeys, verifier: Arc<JwtVerifier>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(source.period.max(Duration::from_millis(100)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            reload(&source, &live, &verifier).await;
        }
    })
}

async fn reload(source: &KeyDirectory, live: &LiveKeys, verifier: &JwtVerifier) {
    match apply(source, live, verifier).await {
        Ok(Some(signer)) => reloaded(&signer),
        Ok(None) => {}
        Err(reason) => kept(&reason),
    }
}

fn reloaded(signer: &str) {
    tracing::info!(kid = %signer, "signing keys reloaded");
}

fn kept(reason: &str) {
    tracing::error!(%reason, "signing keys not reloaded; keeping the current ones");
}

/// Loads the directory and installs it when it changed: the new signer's `kid`, if any.
async fn apply(
    source: &KeyDirectory,
    live: &LiveKeys,
    verifier: &JwtVerifier,
) -> Result<Option<String>, String> {
    let ring = KeyRing::load(&source.dir, &source.active).map_err(|e| e.to_string())?;
    let jwks = ring.jwks();
    let signer = ring.signer().kid().to_owned();
    if !live.replace(ring) {
        return Ok(None);
    }
    verifier.replace(&jwks).await.map_err(|e| e.to_string())?;
    Ok(Some(signer))
}
