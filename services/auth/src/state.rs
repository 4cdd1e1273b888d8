//! The Auth service's state: the shared core plus keys, passwords, limits and provisioning.
//!
//! The service verifies its own tokens with a fixed key set (no HTTP round trip to itself) and
//! resolves API keys through the shared [`coachai_common::auth::api_keys::ApiKeyStore`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use coachai_common::auth::{Authenticator, JwtVerifier, Revocations};
use coachai_common::cache::{Cache, CacheOptions};
use coachai_common::ratelimit::RateLimiter;
use coachai_common::state::CoreState;
use coachai_common::tenancy::Db;
use coachai_common::{AppError, db};
use coachai_provisioning::Provisioner;
use ipnet::IpNet;

use crate::config::Config;
use crate::keys::{self, KeyDirectory, KeyRing, LiveKeys};
use crate::password::Passwords;
use crate::tokens::TokenIssuer;
use coachai_common::auth::api_keys::ApiKeyStore;

/// Settings handlers read on every request.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether sign-up is open.
    pub signup_enabled: bool,
    /// Refresh-token lifetime.
    pub refresh_ttl: Duration,
    /// Invitation lifetime.
    pub invitation_ttl: Duration,
    /// How long other services may cache the JWKS.
    pub jwks_max_age: Duration,
}

/// Addresses whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpNet>>);

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR ranges.
    pub fn parse(list: &str) -> Result<Self, AppError> {
        let nets = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| AppError::internal(format!("invalid trusted proxy `{s}`")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(Arc::new(nets)))
    }

    /// Whether `ip` is a trusted gateway.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// Everything a handler of the Auth service may use.
#[derive(Clone)]
pub struct AuthState {
    /// Database, authenticator (JWT + API keys) and cache.
    pub core: CoreState,
    /// Signs access tokens.
    pub issuer: TokenIssuer,
    /// The signing keys in use (replaced when the key directory changes).
    pub live_keys: LiveKeys,
    /// Hashes and verifies passwords.
    pub passwords: Arc<Passwords>,
    /// Redis sliding-window limits on credential endpoints.
    pub limiter: Arc<RateLimiter>,
    /// Creates tenants on sign-up.
    pub provisioner: Provisioner,
    /// Per-request settings.
    pub settings: Arc<Settings>,
    /// Gateways whose forwarded client address is believed.
    pub proxies: TrustedProxies,
}

impl AuthState {
    /// Connects to PostgreSQL and builds the state from `config`.
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let pool = db::connect(
            &config.common.database_url,
            config.common.database_max_connections,
        )
        .await?;
        let keys = load_keys(config)?;
        let state = Self::build(Db::new(pool), keys, config)?;
        if !config.signing_keys_dir.is_empty() {
            state.follow_keys(KeyDirectory {
                dir: config.signing_keys_dir.clone().into(),
                active: config.signing_key_id.clone(),
                period: Duration::from_secs(config.signing_keys_reload_secs),
            });
        }
        Ok(state)
    }

    /// Reads `source` again periodically so added and withdrawn keys take effect without a
    /// restart (see [`crate::keys::follow`]).
    pub fn follow_keys(&self, source: KeyDirectory) -> tokio::task::JoinHandle<()> {
        let verifier = self.core.authenticator.verifier().clone();
        keys::follow(source, self.live_keys.clone(), verifier)
    }

    /// Builds the state on an existing pool and key ring (tests use this).
    pub fn build(db: Db, keys: KeyRing, config: &Config) -> Result<Self, AppError> {
        let common = &config.common;
        let verifier = JwtVerifier::fixed(&keys.jwks(), &common.jwt_issuer, &common.jwt_audience)?;
        let revocations = Arc::new(Revocations::new(&common.redis_url));
        let authenticator = Authenticator::new(Arc::new(verifier), revocations)
            .with_api_keys(Arc::new(ApiKeyStore::new(db.clone())));
        let live_keys = LiveKeys::new(keys);
        let issuer = TokenIssuer::new(
            live_keys.clone(),
            &common.jwt_issuer,
            &common.jwt_audience,
            Duration::from_secs(config.access_token_ttl_secs),
        );
        let passwords = Passwords::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
        )?;
        let passwords = passwords.with_limits(
            config.password_slots,
            Duration::from_millis(config.password_queue_wait_ms),
        );
        Ok(Self {
            core: CoreState {
                db,
                authenticator,
                cache: Arc::new(Cache::new(&common.redis_url, CacheOptions::default())),
            },
            issuer,
            live_keys,
            passwords: Arc::new(passwords),
            limiter: Arc::new(RateLimiter::new(&common.redis_url)),
            provisioner: Provisioner::new(),
            settings: Arc::new(Settings {
                signup_enabled: config.signup_enabled,
                refresh_ttl: Duration::from_secs(config.refresh_token_ttl_secs),
                invitation_ttl: Duration::from_secs(config.invitation_ttl_secs),
                jwks_max_age: Duration::from_secs(config.jwks_max_age_secs),
            }),
            proxies: TrustedProxies::parse(&config.trusted_proxies)?,
        })
    }
}

fn load_keys(config: &Config) -> anyhow::Result<KeyRing> {
    if config.signing_keys_dir.is_empty() {
        let ring = KeyRing::ephemeral();
        warn_ephemeral(ring.signer().kid());
        return Ok(ring);
    }
    let ring = KeyRing::load(Path::new(&config.signing_keys_dir), &config.signing_key_id)?;
    let kid = ring.signer().kid().to_owned();
    tracing::info!(%kid, "signing keys loaded");
    Ok(ring)
}

fn warn_ephemeral(kid: &str) {
    tracing::warn!(
        %kid,
        "SIGNING_KEYS_DIR is not set: signing with an ephemeral key; tokens will not survive \
         a restart and replicas will not share keys (fine for `make up` only)"
    );
}

impl FromRef<AuthState> for Db {
    fn from_ref(state: &AuthState) -> Self {
        state.core.db.clone()
    }
}

impl FromRef<AuthState> for Authenticator {
    fn from_ref(state: &AuthState) -> Self {
        state.core.authenticator.clone()
    }
}

impl FromRef<AuthState> for TrustedProxies {
    fn from_ref(state: &AuthState) -> Self {
        state.proxies.clone()
    }
}
