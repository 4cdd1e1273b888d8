//! The real nginx gateway (`gateway/nginx.conf` rendered by `scripts/stack/gateway.sh`) on a
//! free port with its own prefix, in front of one Channel process and the AI Engine; stopped
//! when dropped.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::served::{free_port, scratch_dir};

/// A running gateway.
pub struct Gateway {
    /// Where it listens.
    pub addr: SocketAddr,
    dir: PathBuf,
}

impl Gateway {
    /// Starts nginx routing `/api/v1/channels/` to `channel` and `/api/v1/ai/` to `ai_engine`.
    /// Its rate limits are raised out of the way: they have their own test (tests/e2e/gateway.sh).
    pub async fn start(channel: SocketAddr, ai_engine: SocketAddr) -> Self {
        let port = free_port();
        let dir = scratch_dir("gateway");
        let gateway = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
        };
        let out = tokio::process::Command::new(script())
            .arg("start")
            .envs(gateway.env())
            .env_remove("COACHAI_NGINX_DIR")
            .env("GATEWAY_CHANNEL_UPSTREAM", channel.to_string())
            .env("GATEWAY_AI_ENGINE_UPSTREAM", ai_engine.to_string())
            // Nothing listens on the discard port: those services are not part of these tests.
            .env("GATEWAY_AUTH_UPSTREAM", "127.0.0.1:9")
            .env("GATEWAY_CREATOR_HUB_UPSTREAM", "127.0.0.1:9")
            .env("GATEWAY_RATE_PER_ADDR", "1000r/s")
            .env("GATEWAY_BURST_PER_ADDR", "1000")
            .env("GATEWAY_RATE_PER_CREDENTIAL", "1000r/s")
            .env("GATEWAY_BURST_PER_CREDENTIAL", "1000")
            .output()
            .await
            .expect("scripts/stack/gateway.sh runs");
        assert!(
            out.status.success(),
            "the gateway did not start (nginx installed? running as root?):\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        gateway
    }

    /// `http://127.0.0.1:PORT`, the gateway's own origin.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("COACHAI_LOCAL", self.dir.display().to_string()),
            ("GATEWAY_PORT", self.addr.port().to_string()),
        ]
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .envs(self.env())
            .env_remove("COACHAI_NGINX_DIR")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/stack/gateway.sh")
}
