//! The platform as `make up` runs it, on ports of its own: Auth, Creator Hub, AI Engine and
//! Channel from `$COACHAI_BIN_DIR` (default `$CARGO_TARGET_DIR/debug`), the Ollama double as their `OLLAMA_URL`, and the nginx
//! gateway (`scripts/stack/gateway.sh`) in front. Everything stops when the [`Platform`] drops.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::error::HarnessError;
use crate::process::{Owned, wait_http};

/// The ports the platform listens on (all on 127.0.0.1) and the origins of the widget's test
/// sites, which the gateway's CORS allow-list names.
#[derive(Debug, Clone)]
pub struct PlatformPorts {
    /// Auth, Creator Hub, AI Engine, Channel.
    pub services: [u16; 4],
    /// The Ollama double.
    pub ollama: u16,
    /// The nginx gateway.
    pub gateway: u16,
    /// Origins besides the gateway's own that the gateway answers CORS requests from.
    pub cors_origins: Vec<String>,
}

impl Default for PlatformPorts {
    /// Apart from `make up` (8001-8004, 8080) and tests/e2e/platform.sh (18001-18004, 18080).
    fn default() -> Self {
        Self {
            services: [19001, 19002, 19003, 19004],
            ollama: 19011,
            gateway: 19080,
            cors_origins: Vec::new(),
        }
    }
}

const SERVICES: [(&str, &str); 4] = [
    ("auth", "auth"),
    ("creator-hub", "creators"),
    ("ai-engine", "ai"),
    ("channel", "channels"),
];

/// The double streams this many answer words a second, so an answer takes seconds and a test
/// can watch it grow and drop the connection in the middle of it.
const TOKEN_RATE: &str = "6";

/// The running platform.
#[derive(Debug)]
pub struct Platform {
    ports: PlatformPorts,
    root: PathBuf,
    dir: PathBuf,
    // Dropped after the gateway stops, in declaration order: services, then the double.
    gateway: Gateway,
    services: Vec<Owned>,
    ollama: Owned,
}

impl Platform {
    /// Starts the double, the four services and the gateway, and waits until every `/health`
    /// answers through the gateway. `dir` receives the logs and the gateway's files.
    pub async fn start(ports: PlatformPorts, dir: &Path) -> Result<Self, HarnessError> {
        let root = PathBuf::from(env("COACHAI_ROOT")?);
        let bin = match env("COACHAI_BIN_DIR") {
            Ok(dir) => PathBuf::from(dir),
            Err(_) => PathBuf::from(env("CARGO_TARGET_DIR")?).join("debug"),
        };
        std::fs::create_dir_all(dir.join("logs")).map_err(HarnessError::io(dir))?;
        let ollama = start_double(&bin, &ports, dir).await?;
        let mut services = Vec::new();
        for (i, (name, prefix)) in SERVICES.iter().enumerate() {
            services.push(start_service(&bin, &ports, i, name, prefix, dir).await?);
        }
        let gateway = Gateway::start(&root, &ports, dir)?;
        let platform = Self {
            ports,
            root,
            dir: dir.to_owned(),
            gateway,
            services,
            ollama,
        };
        for (_, prefix) in SERVICES {
            let url = format!("{}/api/v1/{prefix}/health", platform.gateway_url());
            let resp = reqwest::get(&url).await?;
            if !resp.status().is_success() {
                return Err(HarnessError::Api {
                    call: format!("GET {url}"),
                    status: resp.status().as_u16(),
                    body: resp.text().await.unwrap_or_default(),
                });
            }
        }
        Ok(platform)
    }

    /// `http://127.0.0.1:<gateway port>`, the origin browsers use.
    pub fn gateway_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.gateway)
    }

    /// The Ollama double's base URL.
    pub fn ollama_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.ollama)
    }

    /// Where logs and artifacts of this run live.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the gateway, which closes every connection through it from the server side: a
    /// network drop as a browser sees it, while the services (and the answers they are writing)
    /// carry on. [`Platform::start_gateway`] ends it.
    pub fn stop_gateway(&mut self) {
        self.gateway.stop();
    }

    /// Starts the gateway again after [`Platform::stop_gateway`].
    pub fn start_gateway(&mut self) -> Result<(), HarnessError> {
        self.gateway = Gateway::start(&self.root, &self.ports, &self.dir)?;
        Ok(())
    }

    /// Fails naming the first platform process that has exited.
    pub fn check_alive(&mut self) -> Result<(), HarnessError> {
        for process in self.services.iter_mut().chain([&mut self.ollama]) {
            if let Some(status) = process.exited() {
                return Err(HarnessError::NotReady {
                    what: process.name().to_owned(),
                    secs: 0,
                    detail: format!("exited {status} during the run"),
                });
            }
        }
        Ok(())
    }
}

fn env(name: &'static str) -> Result<String, HarnessError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(HarnessError::Env(name))
}

fn binary(bin: &Path, name: &str) -> Result<PathBuf, HarnessError> {
    let path = bin.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(HarnessError::Missing {
            what: format!("the {name} binary"),
            path,
            hint: "run `cargo build --workspace --bins` (tests/browser/run.sh does)".to_owned(),
        })
    }
}

async fn start_double(
    bin: &Path,
    ports: &PlatformPorts,
    dir: &Path,
) -> Result<Owned, HarnessError> {
    let mut command = Command::new(binary(bin, "coachai-ollama-double")?);
    command.args([
        "--port",
        &ports.ollama.to_string(),
        "--token-rate",
        TOKEN_RATE,
    ]);
    let log = dir.join("logs/ollama-double.log");
    let mut process = Owned::spawn("the Ollama double", command, &log)?;
    let url = format!("http://127.0.0.1:{}/api/version", ports.ollama);
    wait_http(&url, &mut process, &log, Duration::from_secs(15)).await?;
    Ok(process)
}

async fn start_service(
    bin: &Path,
    ports: &PlatformPorts,
    index: usize,
    name: &str,
    prefix: &str,
    dir: &Path,
) -> Result<Owned, HarnessError> {
    let [auth, _, ai_engine, _] = ports.services;
    let port = ports.services[index];
    let mut command = Command::new(binary(bin, &format!("coachai-{name}"))?);
    command
        .env("PORT", port.to_string())
        .env("LOG_FORMAT", "json")
        .env("OLLAMA_URL", format!("http://127.0.0.1:{}", ports.ollama))
        .env("AI_ENGINE_URL", format!("http://127.0.0.1:{ai_engine}"))
        .env(
            "AUTH_JWKS_URL",
            format!("http://127.0.0.1:{auth}/api/v1/auth/.well-known/jwks.json"),
        );
    let log = dir.join(format!("logs/{name}.log"));
    let mut process = Owned::spawn(name, command, &log)?;
    let url = format!("http://127.0.0.1:{port}/api/v1/{prefix}/health");
    wait_http(&url, &mut process, &log, Duration::from_secs(30)).await?;
    Ok(process)
}

/// The nginx gateway started by `scripts/stack/gateway.sh`, stopped by it on drop.
#[derive(Debug)]
struct Gateway {
    script: PathBuf,
    envs: Vec<(String, String)>,
    running: bool,
}

impl Gateway {
    fn start(root: &Path, ports: &PlatformPorts, dir: &Path) -> Result<Self, HarnessError> {
        let [auth, hub, ai, channel] = ports.services.map(|p| format!("127.0.0.1:{p}"));
        let own = [
            format!("http://127.0.0.1:{}", ports.gateway),
            format!("http://localhost:{}", ports.gateway),
        ];
        let origins: Vec<String> = own.into_iter().chain(ports.cors_origins.clone()).collect();
        let envs = vec![
            ("COACHAI_LOCAL".to_owned(), dir.display().to_string()),
            ("GATEWAY_PORT".to_owned(), ports.gateway.to_string()),
            ("GATEWAY_AUTH_UPSTREAM".to_owned(), auth),
            ("GATEWAY_CREATOR_HUB_UPSTREAM".to_owned(), hub),
            ("GATEWAY_AI_ENGINE_UPSTREAM".to_owned(), ai),
            ("GATEWAY_CHANNEL_UPSTREAM".to_owned(), channel),
            ("GATEWAY_CORS_ORIGINS".to_owned(), origins.join(" ")),
        ];
        let mut gateway = Self {
            script: root.join("scripts/stack/gateway.sh"),
            envs,
            running: false,
        };
        gateway.run("start")?;
        gateway.running = true;
        Ok(gateway)
    }

    fn run(&self, action: &str) -> Result<(), HarnessError> {
        let output = Command::new(&self.script)
            .arg(action)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|source| HarnessError::Spawn {
                what: self.script.display().to_string(),
                source,
            })?;
        if output.status.success() {
            return Ok(());
        }
        Err(HarnessError::Script {
            script: format!("scripts/stack/gateway.sh {action}"),
            status: output.status.to_string(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stderr),
                String::from_utf8_lossy(&output.stdout)
            ),
        })
    }

    fn stop(&mut self) {
        if self.running {
            // A failed stop leaves nginx running; the next start reloads it instead.
            let _ = self.run("stop");
            self.running = false;
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.stop();
    }
}
