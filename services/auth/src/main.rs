//! Runs the auth service: read configuration, connect, serve until SIGTERM.

use std::process::ExitCode;

use coachai_auth::{AuthState, Config, SERVICE, router};
use coachai_common::{http, service, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    service::exit_status(SERVICE, run().await)
}

async fn run() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init_logging(&config.common.log_format);
    let state = AuthState::connect(&config).await?;
    http::serve(router(state, &config), &config.listen_addr()).await?;
    Ok(())
}
