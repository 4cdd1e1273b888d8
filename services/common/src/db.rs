//! The PostgreSQL pool, start-up checks and the mapping of database errors onto problems.
//!
//! Handlers never receive this pool: tenant data is reached only through [`crate::TenantTx`],
//! and pre-authentication look-ups through narrow `SECURITY DEFINER` functions.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

mod problems;

pub use problems::classify;

/// Why the database could not be reached at start-up.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL does not parse.
    #[error("invalid database URL {url}: {reason}")]
    InvalidUrl {
        /// The URL with its password hidden.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Nothing answered, or it refused us.
    #[error("cannot connect to PostgreSQL at {url}: {reason}")]
    Unreachable {
        /// The URL with its password hidden.
        url: String,
        /// The driver's reason.
        reason: String,
    },
}

/// Hides the password of a connection URL so it can be logged.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("****"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// Connects a pool and proves it with one round trip, failing fast with a clear error.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, DbError> {
    let options: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| DbError::InvalidUrl {
        url: redact_url(url),
        reason: e.to_string(),
    })?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| DbError::Unreachable {
            url: redact_url(url),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_the_password_only() {
        let got = redact_url("postgres://app:s3cret@db.example:5432/coachai");
        assert_eq!(got, "postgres://app:****@db.example:5432/coachai");
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact_url("not a url"), "<unparsable url>");
    }

    #[tokio::test]
    async fn unreachable_database_names_the_url_without_password() {
        let err = connect("postgres://app:s3cret@127.0.0.1:1/coachai", 1)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("127.0.0.1:1"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}

/// The migrations of `migrations/`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Why migrating failed.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The owner connection failed.
    #[error(transparent)]
    Connect(#[from] DbError),
    /// A migration failed or an applied one was edited.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Applies pending migrations with the owner role; returns how many are applied in total.
/// Concurrent callers are serialised by sqlx's advisory lock.
pub async fn migrate(owner_url: &str) -> Result<usize, MigrateError> {
    let pool = connect(owner_url, 2).await?;
    MIGRATOR.run(&pool).await?;
    pool.close().await;
    Ok(MIGRATOR.iter().count())
}

/// The owner connection of the migrations: `MIGRATION_DATABASE_URL`, else the local stack's.
pub fn migration_url() -> String {
    std::env::var("MIGRATION_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai".to_owned()
    })
}
