//! Applies the sqlx migrations in `migrations/` as the owner role (`MIGRATION_DATABASE_URL`).
//! Used by `make up`, `make test` and the `Platform` reconciler's migration Job (there as
//! `coachai migrate`, which does the same).

use std::process::ExitCode;

use coachai_common::db;

#[tokio::main]
async fn main() -> ExitCode {
    match db::migrate(&db::migration_url()).await {
        Ok(applied) => {
            println!("migrations up to date ({applied} applied in total)");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("coachai-migrate: {err}");
            ExitCode::FAILURE
        }
    }
}
