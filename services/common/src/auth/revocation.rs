//! Revocation of access that was granted by still-unexpired credentials, shared through Redis.
//!
//! Access tokens are verified locally and live 15 minutes; deactivating a user or suspending a
//! creator must end their access within seconds on every service without a database call per
//! request. Two Redis keys carry the news:
//! - `coachai:revoked:user:<id>` holds an epoch in milliseconds: tokens of that user issued at
//!   or before it are refused (a token issued later, after a re-activation, is fine);
//! - `coachai:suspended:creator:<id>` exists while the creator is suspended: every credential
//!   of that tenant is refused.
//!
//! Each process remembers what it read for [`LOCAL_TTL`], so revocation reaches every replica
//! within about a second while Redis sees at most one `MGET` per user per second. When Redis
//! cannot be read, management routes fail closed (503) and the others fail open (logged); after
//! a failure Redis is left alone for a second, so an outage adds no timeout to each request.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use deadpool_redis::Pool;
use moka::sync::Cache;
use uuid::Uuid;

use super::{Credential, Principal};
use crate::error::AppError;

/// How long a process reuses what it read from Redis.
pub const LOCAL_TTL: Duration = Duration::from_secs(1);

/// How long Redis is left alone after it failed.
const BREAKER: Duration = Duration::from_secs(1);

/// How long a user's revocation epoch is kept: longer than any access token lives.
const USER_EPOCH_TTL: Duration = Duration::from_secs(24 * 3600);

/// What Redis says about one user of one creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Standing {
    user_epoch_ms: Option<i64>,
    creator_suspended: bool,
}

/// Reads and writes revocations; share it behind an `Arc`.
pub struct Revocations {
    pool: Option<Pool>,
    op_timeout: Duration,
    local: Cache<(Uuid, Uuid), Standing>,
    /// Until when (ms since the epoch) Redis is not asked after a failure.
    down_until_ms: AtomicI64,
}

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revocations")
            .field("enabled", &self.pool.is_some())
            .finish_non_exhaustive()
    }
}

fn user_key(user: Uuid) -> String {
    format!("coachai:revoked:user:{user}")
}

fn creator_key(creator: Uuid) -> String {
    format!("coachai:suspended:creator:{creator}")
}

impl Revocations {
    /// Revocations kept in the Redis at `redis_url`; connections are made lazily.
    pub fn new(redis_url: &str) -> Self {
        let op_timeout = Duration::from_millis(250);
        let pool = crate::redis_pool::bounded(redis_url, 16, op_timeout, "shared revocations");
        let local = Cache::builder()
            .max_capacity(100_000)
            .time_to_live(LOCAL_TTL)
            .build();
        Self {
            pool,
            op_timeout,
            local,
            down_until_ms: AtomicI64::new(0),
        }
    }

    /// Refuses every access token of `user` issued until now. Fails with 503 when Redis
    /// cannot record it, so a caller never believes a revocation that did not happen.
    pub async fn revoke_user(&self, user: Uuid) -> Result<(), AppError> {
        let now = chrono::Utc::now().timestamp_millis();
        let ttl = USER_EPOCH_TTL.as_secs();
        let mut cmd = redis::cmd("SET");
        cmd.arg(user_key(user)).arg(now).arg("EX").arg(ttl);
        self.run::<redis::Value>(cmd).await?;
        self.local.invalidate_all();
        Ok(())
    }

    /// Refuses every credential of `creator` until [`Self::resume_creator`].
    pub async fn suspend_creator(&self, creator: Uuid) -> Result<(), AppError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(creator_key(creator))
            .arg(chrono::Utc::now().timestamp_millis());
        self.run::<redis::Value>(cmd).await?;
        self.local.invalidate_all();
        Ok(())
    }

    /// Lifts a suspension.
    pub async fn resume_creator(&self, creator: Uuid) -> Result<(), AppError> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(creator_key(creator));
        self.run::<redis::Value>(cmd).await?;
        self.local.invalidate_all();
        Ok(())
    }

    /// Refuses (401) a principal whose user was revoked after its token was issued or whose
    /// creator is suspended. When Redis cannot be read, `fail_closed` answers 503.
    pub async fn check(&self, principal: &Principal, fail_closed: bool) -> Result<(), AppError> {
        let key = (principal.user_id, principal.creator_id.0);
        let standing = match self.local.get(&key) {
            Some(standing) => standing,
            None => match self.read(key).await {
                Ok(standing) => {
                    self.local.insert(key, standing);
                    standing
                }
                Err(err) if fail_closed => return Err(err),
                Err(_) => return Ok(()),
            },
        };
        judge(principal, standing)
    }

    async fn read(&self, (user, creator): (Uuid, Uuid)) -> Result<Standing, AppError> {
        let mut cmd = redis::cmd("MGET");
        cmd.arg(user_key(user)).arg(creator_key(creator));
        let (epoch, suspended): (Option<i64>, Option<String>) = self.run(cmd).await?;
        Ok(Standing {
            user_epoch_ms: epoch,
            creator_suspended: suspended.is_some(),
        })
    }

    /// Runs `cmd`; after a failure Redis is not asked again for [`BREAKER`], so an outage
    /// costs each request nothing rather than a timeout.
    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, AppError> {
        if now_ms() < self.down_until_ms.load(Ordering::Relaxed) {
            return Err(unavailable());
        }
        self.attempt(cmd).await.map_err(|reason| self.trip(&reason))
    }

    async fn attempt<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, String> {
        let pool = self.pool.as_ref().ok_or("no Redis configured")?;
        let attempt = async {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            cmd.query_async::<T>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        tokio::time::timeout(self.op_timeout, attempt)
            .await
            .map_err(|_| "timed out".to_owned())?
    }

    fn trip(&self, reason: &str) -> AppError {
        metrics::counter!("revocation_errors_total").increment(1);
        let breaker = i64::try_from(BREAKER.as_millis()).unwrap_or(1_000);
        self.down_until_ms
            .store(now_ms().saturating_add(breaker), Ordering::Relaxed);
        tracing::warn!(%reason, "revocations unreadable or unwritable in Redis");
        unavailable()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn unavailable() -> AppError {
    AppError::Unavailable(
        "cannot confirm that this credential is still valid; retry shortly".into(),
    )
}

/// The pure decision: suspended creators and tokens older than their user's epoch are out.
fn judge(principal: &Principal, standing: Standing) -> Result<(), AppError> {
    if standing.creator_suspended {
        return Err(AppError::Unauthorized("this creator is suspended".into()));
    }
    let revoked = match (&principal.credential, standing.user_epoch_ms) {
        (Credential::AccessToken { issued_at, .. }, Some(epoch)) => {
            issued_at.saturating_mul(1000) <= epoch
        }
        (Credential::ApiKey { .. }, Some(_)) => true,
        (_, None) => false,
    };
    if revoked {
        Err(AppError::Unauthorized(
            "this credential was revoked; sign in again".into(),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
