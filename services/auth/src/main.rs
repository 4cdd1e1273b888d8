//! Runs the auth service: read configuration, connect, serve until SIGTERM.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    coachai_common::service::exit_status(coachai_auth::SERVICE, coachai_auth::run().await)
}
