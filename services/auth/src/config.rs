//! The Auth service's configuration: [`CommonConfig`] plus token lifetimes, signing keys,
//! password hashing cost, sign-up switch and the gateway addresses trusted for
//! `X-Forwarded-For`. Every field is an environment variable named after it in upper case.

use coachai_common::config::{self, CommonConfig, ConfigError};
use serde::{Deserialize, Serialize};

/// The service's configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Config {
    /// Settings shared by every service.
    #[serde(flatten)]
    pub common: CommonConfig,
    /// TCP port to listen on (`PORT`).
    pub port: u16,
    /// Whether `POST /signup` creates creators; off when only the operator makes tenants.
    pub signup_enabled: bool,
    /// Directory of PKCS#8 PEM Ed25519 keys, one `<kid>.pem` per key (a mounted Kubernetes
    /// Secret). Empty: an ephemeral key is generated at start (fine for `make up` only).
    pub signing_keys_dir: String,
    /// The `kid` that signs new tokens; empty means the last key file in name order.
    pub signing_key_id: String,
    /// Access-token lifetime in seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime in seconds (each rotation starts a new lifetime).
    pub refresh_token_ttl_secs: u64,
    /// How long an invitation can be accepted, in seconds.
    pub invitation_ttl_secs: u64,
    /// Comma-separated addresses or CIDR ranges of the gateway whose `X-Forwarded-For` is
    /// believed.
    pub trusted_proxies: String,
    /// Argon2id memory cost in KiB (OWASP: 19456).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations (OWASP: 2).
    pub argon2_iterations: u32,
    /// Argon2id parallelism (OWASP: 1).
    pub argon2_parallelism: u32,
    /// Concurrent password hashes at most; 0 means one per core.
    pub password_slots: usize,
    /// How long a login waits for a free hashing slot before 503, in milliseconds.
    pub password_queue_wait_ms: u64,
    /// How often the signing key directory is read again, in seconds: a removed key file stops
    /// verifying here and leaves the JWKS within this time.
    pub signing_keys_reload_secs: u64,
    /// `Cache-Control: max-age` of the JWKS, in seconds: how long other services may keep a
    /// withdrawn key (they refetch at least every 5 minutes whatever it says).
    pub jwks_max_age_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            common: CommonConfig::default(),
            port: 8001,
            signup_enabled: true,
            signing_keys_dir: String::new(),
            signing_key_id: String::new(),
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            invitation_ttl_secs: 7 * 24 * 3600,
            trusted_proxies: "127.0.0.1/32,::1/128".into(),
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            password_slots: 0,
            password_queue_wait_ms: 500,
            signing_keys_reload_secs: 30,
            jwks_max_age_secs: 60,
        }
    }
}

impl Config {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        config::load()
    }

    /// The address to bind.
    pub fn listen_addr(&self) -> String {
        format!("{}:{}", self.common.bind_addr, self.port)
    }
}
