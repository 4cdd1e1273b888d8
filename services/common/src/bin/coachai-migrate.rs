//! Applies the sqlx migrations in `migrations/` as the owner role (`MIGRATION_DATABASE_URL`).
//! Used by `make up`, `make test` and the `Platform` reconciler's migration Job.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let url = std::env::var("MIGRATION_DATABASE_URL").unwrap_or_else(|_| {
        "postgres://coachai_owner:coachai_owner@127.0.0.1:54329/coachai".to_owned()
    });
    match coachai_common::db::migrate(&url).await {
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
