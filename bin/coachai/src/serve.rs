//! `coachai serve <service>`: runs one of the four services exactly as its own binary does
//! (`coachai-auth`, `coachai-creator-hub`, `coachai-ai-engine`, `coachai-channel`).

use std::process::ExitCode;

use coachai_common::service;

/// A service of the platform that `coachai serve` can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Sign-up, login, tokens and API keys.
    Auth,
    /// Creators, coaches and documents.
    CreatorHub,
    /// Retrieval and generation.
    AiEngine,
    /// WebSocket chat and messaging webhooks.
    Channel,
}

impl Service {
    /// The service named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "auth" => Some(Self::Auth),
            "creator-hub" => Some(Self::CreatorHub),
            "ai-engine" => Some(Self::AiEngine),
            "channel" => Some(Self::Channel),
            _ => None,
        }
    }

    /// Reads configuration, connects and serves until SIGTERM or Ctrl-C; on failure one line,
    /// `<service>: <error>`, on stderr and exit status 1.
    pub async fn run(self) -> ExitCode {
        match self {
            Self::Auth => service::exit_status(coachai_auth::SERVICE, coachai_auth::run().await),
            Self::CreatorHub => {
                use coachai_creator_hub::{DEFAULT_PORT, SERVICE, router};
                service::exit_status(SERVICE, service::run(DEFAULT_PORT, router).await)
            }
            Self::AiEngine => {
                use coachai_ai_engine::{DEFAULT_PORT, SERVICE, router};
                service::exit_status(SERVICE, service::run(DEFAULT_PORT, router).await)
            }
            Self::Channel => {
                use coachai_channel::{DEFAULT_PORT, SERVICE, router};
                service::exit_status(SERVICE, service::run(DEFAULT_PORT, router).await)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_services_are_known_by_their_binary_names() {
        for (name, service) in [
            ("auth", Service::Auth),
            ("creator-hub", Service::CreatorHub),
            ("ai-engine", Service::AiEngine),
            ("channel", Service::Channel),
        ] {
            assert_eq!(Service::from_name(name), Some(service));
        }
        assert_eq!(Service::from_name("provisioning"), None);
    }
}
