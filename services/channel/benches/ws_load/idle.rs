//! `idle`: N authenticated connections held open on one Channel process, then its resident
//! memory per connection and its CPU time over a window of heartbeats (the client answers every
//! ping, so no connection should be closed for idleness).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::sync::Mutex;

use crate::channel::{self, Channel, Settings};
use crate::stack::Stack;
use crate::{client, limits};

/// Handshakes in flight at once while opening connections.
const OPENING: usize = 128;

/// What the idle run asks for.
pub struct Options {
    /// Connections wanted (capped by what the machine allows, said so when capped).
    pub connections: usize,
    /// How long CPU is sampled once every connection is open.
    pub window: Duration,
    /// The Channel's heartbeat and idle timeout.
    pub settings: Settings,
}

/// What the idle run measured.
pub struct Outcome {
    /// Connections asked for.
    pub wanted: usize,
    /// Connections open after the opening phase.
    pub opened: usize,
    /// How long opening them took.
    pub open_time: Duration,
    /// Connections that failed to open, and the first reason.
    pub failed: usize,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// Server RSS before any connection and with all of them open, KiB.
    pub rss_before: u64,
    /// Server RSS with all of them open, KiB.
    pub rss_after: u64,
    /// Server CPU time over the window and the window's length.
    pub cpu: Duration,
    /// The window CPU was sampled over.
    pub window: Duration,
    /// The server's heartbeat interval.
    pub heartbeat: Duration,
    /// Connections still open at the end of the window.
    pub open_at_end: usize,
    /// This process's RSS with all connections open, KiB.
    pub client_rss: u64,
}

/// Runs the idle scenario.
pub async fn run(stack: &Stack, options: Options) -> anyhow::Result<Outcome> {
    let wanted = options.connections;
    limits::report_kernel(wanted);
    let connections = limits::raise_nofile(wanted);
    if connections < wanted {
        println!("idle: opening {connections} of the {wanted} connections asked for");
    }
    let fixture = stack.fixture(1).await?;
    let mut server = Channel::start(&stack.channel_env(), options.settings).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = server.rss_kib()?;
    let open = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None));
    let started = Instant::now();
    let failed = open_all(&server, &fixture.token, connections, &open, &first_error).await;
    let open_time = started.elapsed();
    println!(
        "idle: {} open in {open_time:.1?}",
        open.load(Ordering::Relaxed)
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = server.rss_kib()?;
    let client_rss = channel::rss_kib("/proc/self/status")?;
    let opened = open.load(Ordering::Relaxed);
    println!(
        "idle: sampling CPU of pid {} for {:?}",
        server.pid(),
        options.window
    );
    let cpu_start = server.cpu()?;
    tokio::time::sleep(options.window).await;
    let cpu = server.cpu()?.saturating_sub(cpu_start);
    anyhow::ensure!(
        server.alive(),
        "the Channel died; see {}",
        server.log.display()
    );
    let first_error = first_error.lock().await.take();
    Ok(Outcome {
        wanted,
        opened,
        open_time,
        failed,
        first_error,
        rss_before,
        rss_after,
        cpu,
        window: options.window,
        heartbeat: Duration::from_secs(options.settings.heartbeat_secs),
        open_at_end: open.load(Ordering::Relaxed),
        client_rss,
    })
}

/// Opens `count` connections, [`OPENING`] at a time, each held by its own task that counts
/// itself in `open` while it lasts; returns how many failed to open.
async fn open_all(
    server: &Channel,
    token: &str,
    count: usize,
    open: &Arc<AtomicUsize>,
    first_error: &Arc<Mutex<Option<String>>>,
) -> usize {
    let sources = limits::sources(count);
    let mut failed = 0;
    let mut pending = FuturesUnordered::new();
    for i in 0..count {
        let source = sources[i / limits::PER_SOURCE];
        pending.push(client::connect(source, server.addr, token));
        if pending.len() >= OPENING && !accept(pending.next().await, open, first_error).await {
            failed += 1;
        }
        if (i + 1) % 10_000 == 0 {
            println!("idle: {} connections started", i + 1);
        }
    }
    while let Some(result) = pending.next().await {
        if !accept(Some(result), open, first_error).await {
            failed += 1;
        }
    }
    failed
}

/// Hands an opened connection to a task that holds it; records a failure's reason.
async fn accept(
    result: Option<anyhow::Result<client::Ws>>,
    open: &Arc<AtomicUsize>,
    first_error: &Arc<Mutex<Option<String>>>,
) -> bool {
    match result {
        Some(Ok(ws)) => {
            open.fetch_add(1, Ordering::Relaxed);
            let open = open.clone();
            tokio::spawn(async move {
                client::hold(ws).await;
                open.fetch_sub(1, Ordering::Relaxed);
            });
            true
        }
        Some(Err(err)) => {
            first_error.lock().await.get_or_insert(format!("{err:#}"));
            false
        }
        None => true,
    }
}
