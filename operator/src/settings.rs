//! The operator's settings: the shared ones (`DATABASE_URL` — a role that may provision, not a
//! superuser — `REDIS_URL`, `CHROMA_URL`) and its own, from the environment.

use std::time::Duration;

use coachai_common::config::{CommonConfig, ConfigError, load};
use serde::{Deserialize, Serialize};

/// Settings of the operator (environment variables in upper case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OperatorSettings {
    /// Where clients reach the platform (`PUBLIC_URL`); invitation links start with it.
    pub public_url: String,
    /// Days an owner invitation is valid (`OWNER_INVITATION_DAYS`).
    pub owner_invitation_days: u64,
    /// Seconds between reconciles of an unchanged object (`RESYNC_SECS`).
    pub resync_secs: u64,
    /// Port of `/healthz`, `/readyz` and `/metrics` (`OPERATOR_PORT`).
    pub operator_port: u16,
    /// The only namespace whose Creators are reconciled (`WATCH_NAMESPACE`); empty: all. A
    /// cluster shared with other operators (tests, benchmarks) needs one.
    pub watch_namespace: String,
    /// Namespace of the leader-election Lease (`LEASE_NAMESPACE`; in a cluster, the operator's).
    pub lease_namespace: String,
    /// Name of the Lease (`LEASE_NAME`).
    pub lease_name: String,
    /// Seconds a leader's claim lasts without renewal (`LEASE_DURATION_SECS`).
    pub lease_duration_secs: u64,
    /// The key tenant database passwords are derived from (`OPERATOR_CREDENTIAL_KEY`, from a
    /// Secret); database access is refused while it is empty.
    pub operator_credential_key: String,
    /// Seconds a model this operator pulled stays on Ollama once no Creator uses it
    /// (`MODEL_GRACE_SECS`).
    pub model_grace_secs: u64,
    /// Seconds the previous tenant database role is kept after a rotation while Deployments
    /// using its Secret are not Ready on the new credential (`CREDENTIAL_HANDOVER_SECS`).
    pub credential_handover_secs: u64,
}

impl Default for OperatorSettings {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            owner_invitation_days: 7,
            resync_secs: 300,
            operator_port: 8081,
            watch_namespace: String::new(),
            lease_namespace: "default".into(),
            lease_name: "coachai-operator".into(),
            lease_duration_secs: 15,
            operator_credential_key: String::new(),
            model_grace_secs: 3600,
            credential_handover_secs: 3600,
        }
    }
}

impl OperatorSettings {
    /// The defaults overlaid with the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        load()
    }

    /// How long an owner invitation is valid.
    pub fn owner_invitation_ttl(&self) -> Duration {
        Duration::from_secs(self.owner_invitation_days * 24 * 3600)
    }

    /// How long an unused model this operator pulled is kept.
    pub fn model_grace(&self) -> Duration {
        Duration::from_secs(self.model_grace_secs)
    }

    /// How often an unchanged object is reconciled again.
    pub fn resync(&self) -> Duration {
        Duration::from_secs(self.resync_secs.max(1))
    }
}

/// Everything the operator reads at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The shared settings.
    pub common: CommonConfig,
    /// The operator's own.
    pub operator: OperatorSettings,
}

impl Config {
    /// Both from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            common: load()?,
            operator: OperatorSettings::from_env()?,
        })
    }
}
