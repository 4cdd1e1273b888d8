//! Runs the channel service: read configuration, connect, serve until SIGTERM.

use std::process::ExitCode;

use coachai_channel::{DEFAULT_PORT, SERVICE, router};
use coachai_common::service;

#[tokio::main]
async fn main() -> ExitCode {
    service::exit_status(SERVICE, service::run(DEFAULT_PORT, router).await)
}
