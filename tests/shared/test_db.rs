//! The database every integration-test binary uses: the local stack's PostgreSQL, migrated once
//! per binary as the owner (`MIGRATION_DATABASE_URL`), then connected as the app role. Included
//! with `#[path]` by the crates' test mains; a missing stack fails the test saying so.

// Each binary uses the part it needs.
#![allow(dead_code)]

use coachai_common::tenancy::Db;
use tokio::sync::OnceCell;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

/// `name` from the environment, else `default`.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The app-role database at `url` with a pool of `max_connections`, after the migrations ran.
pub async fn migrated(url: &str, max_connections: u32) -> Db {
    MIGRATED
        .get_or_init(|| async {
            let owner = env_or(
                "MIGRATION_DATABASE_URL",
                "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
            );
            coachai_common::db::migrate(&owner)
                .await
                .expect("migrations apply to MIGRATION_DATABASE_URL");
        })
        .await;
    let pool = coachai_common::db::connect(url, max_connections)
        .await
        .expect("PostgreSQL of the local stack answers at DATABASE_URL (make stack)");
    Db::new(pool)
}

/// The app-role database of `DATABASE_URL`, migrated.
pub async fn app_db(max_connections: u32) -> Db {
    let url = env_or(
        "DATABASE_URL",
        "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai",
    );
    migrated(&url, max_connections).await
}
