//! Shared fixtures: a migrated database, connections as the app role, fresh tenants.

use coachai_common::tenancy::{CreatorId, Db};
use sqlx::PgPool;
use tokio::sync::OnceCell;
use uuid::Uuid;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The app-role database, migrated once per test binary.
pub async fn db() -> Db {
    MIGRATED
        .get_or_init(|| async {
            let owner = env_or(
                "MIGRATION_DATABASE_URL",
                "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
            );
            coachai_common::db::migrate(&owner)
                .await
                .expect("migrations apply");
        })
        .await;
    Db::new(app_pool().await)
}

/// A pool connected as the migration owner (`coachai_owner`), which owns every table.
pub async fn owner_pool() -> PgPool {
    let url = env_or(
        "MIGRATION_DATABASE_URL",
        "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai",
    );
    coachai_common::db::connect(&url, 2)
        .await
        .expect("the local stack is running")
}

/// A pool connected as `coachai_app`.
pub async fn app_pool() -> PgPool {
    let url = env_or(
        "DATABASE_URL",
        "postgres://coachai_app:coachai_app@127.0.0.1:54329/coachai",
    );
    coachai_common::db::connect(&url, 4)
        .await
        .expect("the local stack is running")
}

/// Creates a creator (tenant) with a random slug and returns its id.
pub async fn new_creator(db: &Db) -> CreatorId {
    let creator = CreatorId(Uuid::new_v4());
    let mut tx = db.begin_for(creator).await.expect("begin");
    let slug = format!("t-{}", &creator.0.simple().to_string()[..12]);
    sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, 'Test creator')")
        .bind(creator.0)
        .bind(slug)
        .execute(tx.conn())
        .await
        .expect("insert creator");
    tx.commit().await.expect("commit");
    creator
}

/// Redis URL of the local stack.
pub fn redis_url() -> String {
    env_or("REDIS_URL", "redis://127.0.0.1:63799")
}
