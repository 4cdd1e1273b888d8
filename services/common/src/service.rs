//! What every service binary shares: [`ServiceConfig`] (common settings plus a port) and
//! [`run`], the whole life of a service that needs nothing beyond [`CoreState`].
//!
//! Services with their own settings or state (Auth) keep their own config type and call
//! [`exit_status`] and [`crate::http::serve`] directly.

use std::fmt::Display;
use std::process::ExitCode;

use axum::Router;
use figment::Figment;
use figment::providers::{Env, Serialized};
use serde::{Deserialize, Serialize};

use crate::config::{CommonConfig, ConfigError};
use crate::state::CoreState;
use crate::{http, telemetry};

/// The configuration of a service without settings of its own.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Settings shared by every service.
    #[serde(flatten)]
    pub common: CommonConfig,
    /// TCP port to listen on (`PORT`).
    pub port: u16,
}

impl ServiceConfig {
    /// The defaults of the local stack with `port`.
    pub fn with_port(port: u16) -> Self {
        Self {
            common: CommonConfig::default(),
            port,
        }
    }

    /// Reads the environment over the defaults, `default_port` unless `PORT` is set.
    pub fn from_env(default_port: u16) -> Result<Self, ConfigError> {
        Figment::from(Serialized::defaults(Self::with_port(default_port)))
            .merge(Env::raw().lowercase(true))
            .extract()
            .map_err(|e| ConfigError::new(e.to_string()))
    }

    /// The address to bind.
    pub fn listen_addr(&self) -> String {
        format!("{}:{}", self.common.bind_addr, self.port)
    }
}

/// Why a service stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The configuration did not parse.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// PostgreSQL was unreachable at start-up.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The port could not be bound or serving failed.
    #[error(transparent)]
    Serve(#[from] http::BindError),
}

/// Reads configuration, connects, and serves the router until SIGTERM or Ctrl-C.
pub async fn run(
    default_port: u16,
    router: fn(CoreState, &ServiceConfig) -> Router,
) -> Result<(), RunError> {
    let config = ServiceConfig::from_env(default_port)?;
    telemetry::init_logging(&config.common.log_format);
    let state = CoreState::connect(&config.common).await?;
    http::serve(router(state, &config), &config.listen_addr()).await?;
    Ok(())
}

/// The process exit status of a run: on failure one line, `<service>: <error>`, on stderr.
pub fn exit_status<E: Display>(service: &str, result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{service}: {err:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn the_port_defaults_per_service_and_port_overrides_it() {
        figment::Jail::expect_with(|jail| {
            jail.clear_env();
            assert_eq!(
                ServiceConfig::from_env(8003)
                    .map_err(|e| e.to_string())?
                    .port,
                8003
            );
            jail.set_env("PORT", "9100");
            let config = ServiceConfig::from_env(8003).map_err(|e| e.to_string())?;
            assert_eq!(config.listen_addr(), "127.0.0.1:9100");
            Ok(())
        });
    }

    #[test]
    fn a_failed_run_exits_non_zero() {
        assert_eq!(exit_status::<String>("x", Ok(())), ExitCode::SUCCESS);
        assert_eq!(exit_status("x", Err("boom")), ExitCode::FAILURE);
    }
}
