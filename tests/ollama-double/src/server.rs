//! The listener: serves each TCP connection with hyper so a fault can reset one connection.
//!
//! `axum::serve` owns its connections; serving them here lets a handler ask for its own
//! connection to be dropped with `SO_LINGER 0`, which the client sees as a TCP reset.

use std::io;
use std::net::SocketAddr;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Lets a handler reset the connection its request came on.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionHandle(CancellationToken);

impl ConnectionHandle {
    /// Drops the connection without a response; the peer gets a TCP reset.
    pub(crate) fn reset(&self) {
        self.0.cancel();
    }
}

/// Why the double could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listening socket could not be bound.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The bound socket has no local address.
    #[error("reading the bound address: {0}")]
    LocalAddr(io::Error),
}

/// Binds `addr` and serves `router` on it until the returned task is aborted.
pub(crate) async fn start(
    addr: SocketAddr,
    router: Router,
) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(StartError::LocalAddr)?;
    Ok((local, tokio::spawn(accept_loop(listener, router))))
}

/// Accepts connections; aborting this task drops the set, which aborts every connection.
async fn accept_loop(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(serve(stream, router.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(stream: TcpStream, router: Router) {
    let Ok((stream, twin)) = twin(stream) else {
        return;
    };
    let token = CancellationToken::new();
    let handle = ConnectionHandle(token.clone());
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(handle.clone());
        router.clone().oneshot(request)
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = token.cancelled() => {
            // Best effort: without it the peer sees a plain close, still without a response.
            let _ = twin.set_zero_linger();
        }
    }
}

/// The stream and a second handle on the same socket, kept to set `SO_LINGER` after hyper
/// has taken the first.
fn twin(stream: TcpStream) -> io::Result<(TcpStream, TcpStream)> {
    let std_stream = stream.into_std()?;
    let twin = std_stream.try_clone()?;
    Ok((TcpStream::from_std(std_stream)?, TcpStream::from_std(twin)?))
}
