//! A tiny static web site on an address of its own: the creator's site into which the widget
//! is embedded, so the widget runs from an origin other than the gateway's.

use std::net::SocketAddr;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use tokio::task::JoinHandle;

use crate::error::HarnessError;

/// Serves one HTML page at `/` until dropped.
#[derive(Debug)]
pub struct StaticSite {
    origin: String,
    task: JoinHandle<()>,
}

impl StaticSite {
    /// Serves `html` on `addr` (e.g. `127.0.0.2:19090`, an origin of its own).
    pub async fn serve(addr: SocketAddr, html: String) -> Result<Self, HarnessError> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(HarnessError::io(addr.to_string()))?;
        let app = Router::new().route("/", get(move || async move { Html(html) }));
        let task = tokio::spawn(async move {
            // The site lives as long as the suite; an error ends it and the test then fails
            // to load the page, which says more than a panic here.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            origin: format!("http://{addr}"),
            task,
        })
    }

    /// `http://<addr>`, the page's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}
