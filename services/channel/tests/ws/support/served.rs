//! In-process HTTP servers on real sockets (the AI Engine, the JWKS), stopped when dropped, and
//! free ports for the processes the tests start.

use std::net::SocketAddr;

use axum::Router;
use tokio::task::JoinHandle;

/// A router served on a free port of 127.0.0.1 until this is dropped.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Served {
    /// Serves `router` on a free port.
    pub async fn start(router: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { addr, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A port of 127.0.0.1 nothing listened on a moment ago (for a process that binds it itself).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A fresh directory under the system's temporary directory, for logs and nginx's prefix.
pub fn scratch_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("coachai-ws-{what}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
