//! A plain-HTTP front of the API server for the operator alone. Every request it forwards (with
//! the benchmark's admin client, which holds the TLS and the credentials) is counted by verb and
//! resource, so the operator's requests are told apart from those of whatever else shares the
//! cluster; the API server's own counters cannot tell clients apart.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kube::Client;

use crate::apiserver::Requests;

type Counts = Arc<Mutex<BTreeMap<(String, String), f64>>>;

/// The running front: its kubeconfig and what it counted.
pub struct Proxy {
    /// A kubeconfig naming the front (no credentials: it adds them).
    pub kubeconfig: PathBuf,
    counts: Counts,
}

impl Proxy {
    /// Starts the front on a free loopback port, forwarding with `client`.
    pub async fn start(client: Client) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let server = format!("http://{}", listener.local_addr()?);
        let counts = Counts::default();
        let app = axum::Router::new()
            .fallback(forward)
            .with_state((client, counts.clone()));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let kubeconfig = std::env::temp_dir().join("coachai-operator-converge.kubeconfig");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: bench\n\
                 clusters: [{{name: bench, cluster: {{server: \"{server}\"}}}}]\n\
                 users: [{{name: bench, user: {{}}}}]\n\
                 contexts: [{{name: bench, context: {{cluster: bench, user: bench}}}}]\n"
            ),
        )?;
        Ok(Self { kubeconfig, counts })
    }

    /// What the operator requested so far.
    pub fn requests(&self) -> Requests {
        Requests(self.counts.lock().map(|c| c.clone()).unwrap_or_default())
    }
}

async fn forward(State((client, counts)): State<(Client, Counts)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let content_type = parts.headers.get(header::CONTENT_TYPE);
    let key = classify(
        &parts.method,
        &parts.uri,
        content_type.and_then(|v| v.to_str().ok()),
    );
    if let Ok(mut counts) = counts.lock() {
        *counts.entry(key).or_insert(0.0) += 1.0;
    }
    let mut out = http::Request::builder().method(parts.method).uri(parts.uri);
    for name in [header::CONTENT_TYPE, header::ACCEPT] {
        if let Some(value) = parts.headers.get(&name) {
            out = out.header(name, value);
        }
    }
    let Ok(out) = out.body(kube::client::Body::from(body.to_vec())) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    match client.send(out).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// (verb as the API server names it, resource[/subresource]) of a request.
fn classify(method: &Method, uri: &http::Uri, content_type: Option<&str>) -> (String, String) {
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let rest = match segments.as_slice() {
        ["api", _, rest @ ..] | ["apis", _, _, rest @ ..] => rest,
        other => return ("GET".into(), other.join("/")),
    };
    let rest = match rest {
        ["namespaces", _, rest @ ..] if !rest.is_empty() => rest,
        rest => rest,
    };
    let resource = match rest {
        [resource, _, sub, ..] => format!("{resource}/{sub}"),
        [resource, ..] => (*resource).to_owned(),
        [] => String::new(),
    };
    let watch = uri
        .query()
        .is_some_and(|q| q.contains("watch=true") || q.contains("watch=1"));
    let verb = match (method.as_str(), rest.len() > 1) {
        ("GET", _) if watch => "WATCH",
        ("GET", false) => "LIST",
        ("PATCH", _) if content_type == Some("application/apply-patch+yaml") => "APPLY",
        ("DELETE", false) => "DELETECOLLECTION",
        (verb, _) => verb,
    };
    (verb.to_owned(), resource)
}
