//! The tenant in the types: [`CreatorId`] and the tenant transaction [`TenantTx`].
//!
//! `TenantTx` is the only way a handler reaches tenant tables. It begins a transaction and
//! first runs `SELECT set_config('app.current_creator_id', $1, true)` with the creator id of the
//! verified principal — never one from the URL or body. The setting is transaction-local, so a
//! pooled connection carries nothing into the next request.

use std::fmt;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::auth::{Authenticator, Principal};
use crate::error::AppError;

/// The id of a creator, the tenant every tenant row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreatorId(pub Uuid);

impl fmt::Display for CreatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The database handle kept in service state.
///
/// It deliberately offers no way to run arbitrary queries: tenant data goes through
/// [`TenantTx`]; pre-authentication look-ups go through [`Db::preauth`], whose connection sees
/// no tenant rows (RLS) and is meant only for the narrow `SECURITY DEFINER` functions.
#[derive(Debug, Clone)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    /// Wraps a pool connected as `coachai_app`.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The pool, for `SECURITY DEFINER` look-ups and health checks. RLS hides every tenant row
    /// from it because no creator is set.
    pub fn preauth(&self) -> &PgPool {
        &self.pool
    }

    /// Begins a transaction scoped to `creator`. Callers must have verified `creator` (from a
    /// token, or from a credential checked by a `SECURITY DEFINER` function).
    pub async fn begin_for(&self, creator: CreatorId) -> Result<TenantTx, AppError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('app.current_creator_id', $1, true)")
            .bind(creator.0.to_string())
            .execute(&mut *tx)
            .await?;
        Ok(TenantTx { tx, creator })
    }
}

/// A transaction in which PostgreSQL sees exactly one tenant's rows.
#[derive(Debug)]
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    creator: CreatorId,
}

impl TenantTx {
    /// The tenant this transaction is scoped to.
    pub fn creator(&self) -> CreatorId {
        self.creator
    }

    /// The connection to run queries on (`&mut *tx.conn()` implements `Executor`).
    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Commits; without it the transaction rolls back when dropped.
    pub async fn commit(self) -> Result<(), AppError> {
        self.tx.commit().await.map_err(AppError::from)
    }
}

/// A verified principal together with its tenant transaction.
#[derive(Debug)]
pub struct Tenant {
    /// Who is calling.
    pub principal: Principal,
    /// The transaction scoped to the principal's creator.
    pub tx: TenantTx,
}

impl<S> FromRequestParts<S> for TenantTx
where
    Db: FromRef<S>,
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        Db::from_ref(state).begin_for(principal.creator_id).await
    }
}

impl<S> FromRequestParts<S> for Tenant
where
    Db: FromRef<S>,
    Authenticator: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        let tx = Db::from_ref(state).begin_for(principal.creator_id).await?;
        Ok(Self { principal, tx })
    }
}
