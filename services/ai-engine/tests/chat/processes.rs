//! Private ChromaDB and Redis servers a test can stop and start again on the same port (and,
//! for ChromaDB, the same data directory); each is killed and its directory removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// A free port on 127.0.0.1 (bound, then released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A server process: how to start it, the running child, and its scratch directory.
struct Server {
    name: &'static str,
    program: PathBuf,
    args: Vec<String>,
    dir: PathBuf,
    child: Option<Child>,
}

impl Server {
    fn new(name: &'static str, program: PathBuf, args: Vec<String>, dir: PathBuf) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            name,
            program,
            args,
            dir,
            child: None,
        }
    }

    fn spawn(&mut self) {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        let child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", self.program));
        self.child = Some(child);
    }

    fn log(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// Waits until `ready` says so; panics with the server's log when it does not in time.
    async fn wait<F: Future<Output = bool>>(&mut self, ready: impl Fn() -> F) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while !ready().await {
            let exited = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(self.log()).unwrap_or_default();
                panic!("{} did not start ({exited:?}); its log:\n{log}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Kills the process and waits for it to be gone.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("coachai-{name}-{}", Uuid::new_v4().simple()))
}

/// The `chroma` the dev stack installed: `$CHROMA_BIN`, else `$COACHAI_LOCAL/venv/bin/chroma`
/// (the clone's `.local` when unset), else `chroma` on `PATH`.
fn chroma_program() -> PathBuf {
    if let Ok(bin) = std::env::var("CHROMA_BIN") {
        return PathBuf::from(bin);
    }
    let local = std::env::var("COACHAI_LOCAL").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.local"),
        PathBuf::from,
    );
    let venv = local.join("venv/bin/chroma");
    if venv.is_file() {
        return venv;
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("chroma"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "no chroma binary: set CHROMA_BIN, or run scripts/stack/up.sh (it installs \
             {venv:?}), or put chroma on PATH"
            )
        })
}

/// A ChromaDB server of this test's own, persisting into its own directory.
pub struct OwnChroma {
    server: Server,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl OwnChroma {
    /// Starts `chroma run` on a free port and waits for its heartbeat.
    pub async fn start() -> Self {
        let port = free_port();
        let dir = scratch("chroma");
        let data = dir.join("data").to_string_lossy().into_owned();
        let args = ["run", "--path", &data, "--host", "127.0.0.1", "--port"];
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        args.push(port.to_string());
        let server = Server::new("chroma", chroma_program(), args, dir);
        let mut chroma = Self {
            server,
            url: format!("http://127.0.0.1:{port}"),
        };
        chroma.resume().await;
        chroma
    }

    /// Kills the server (its data stays).
    pub fn stop(&mut self) {
        self.server.kill();
    }

    /// Starts the server again on the same port and data, and waits for its heartbeat.
    pub async fn resume(&mut self) {
        self.server.spawn();
        let heartbeat = format!("{}/api/v2/heartbeat", self.url);
        let client = reqwest::Client::new();
        self.server
            .wait(|| async {
                let answer = client.get(&heartbeat).send().await;
                answer.is_ok_and(|r| r.status().is_success())
            })
            .await;
    }
}

/// A Redis server of this test's own, with no persistence.
pub struct OwnRedis {
    server: Server,
    port: u16,
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
}

impl OwnRedis {
    /// Starts `redis-server` on a free port and waits until it accepts connections.
    pub async fn start() -> Self {
        let port = free_port();
        let args = ["--port", &port.to_string(), "--bind", "127.0.0.1"]
            .into_iter()
            .chain(["--save", "", "--appendonly", "no"])
            .map(str::to_owned)
            .collect();
        let program = PathBuf::from("redis-server");
        let server = Server::new("redis-server", program, args, scratch("redis"));
        let mut redis = Self {
            server,
            port,
            url: format!("redis://127.0.0.1:{port}"),
        };
        redis.resume().await;
        redis
    }

    /// Kills the server.
    pub fn stop(&mut self) {
        self.server.kill();
    }

    /// Starts the server again on the same port and waits until it accepts connections.
    pub async fn resume(&mut self) {
        self.server.spawn();
        let port = self.port;
        self.server
            .wait(|| async move {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok()
            })
            .await;
    }
}
