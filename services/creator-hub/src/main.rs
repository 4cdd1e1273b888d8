//! Runs the creator-hub service: read configuration, connect, serve until SIGTERM.

use std::process::ExitCode;

use coachai_common::service;
use coachai_creator_hub::{DEFAULT_PORT, SERVICE, router};

#[tokio::main]
async fn main() -> ExitCode {
    service::exit_status(SERVICE, service::run(DEFAULT_PORT, router).await)
}
