//! A client that sends but never reads holds the server back only as far as the socket's
//! buffers: the server stops taking its frames, gives up on it and closes it, its memory stays
//! bounded meanwhile, and another connection on the same process keeps working.

use std::time::Duration;

use serde_json::Value;

use crate::support::dial::{Credential, Dial};
use crate::support::stack::{Shape, Stack};

/// Pings sent per batch, and the most a server that buffered without limit could be sent: by
/// then it would hold far more unread pongs than [`RSS_GROWTH_KIB`].
const BATCH: usize = 2_000;
const MOST_PINGS: usize = 1_000_000;
/// How long the client goes on reading nothing once the server stopped taking its frames.
const MUTE_FOR: Duration = Duration::from_secs(10);
/// How much the Channel process may grow while a client refuses to read.
const RSS_GROWTH_KIB: u64 = 32 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_closed_while_memory_stays_bounded_and_others_keep_working() {
    let stack = Stack::start(Shape {
        replicas: 1,
        gateway: false,
    })
    .await;
    let user = stack.client(stack.creator().await).await;
    let dial = || Dial::new(stack.replica(0), Credential::Bearer(user.token.clone()));
    let mut other = dial().connect().await;
    let mut mute = dial().tiny_receive_buffer().connect().await;
    let channel = &stack.replicas[0];
    let rss_before = channel.rss_kib();

    // Each ping asks for a pong the mute client does not read.
    let mut sent = 0;
    let mut peak = rss_before;
    while sent < MOST_PINGS && mute.pings_taken(BATCH, Duration::from_secs(3)).await {
        sent += BATCH;
        peak = peak.max(channel.rss_kib());
    }
    let muted = tokio::time::Instant::now();
    while muted.elapsed() < MUTE_FOR {
        tokio::time::sleep(Duration::from_millis(250)).await;
        peak = peak.max(channel.rss_kib());
    }
    // Reading now finds what the buffers held, then the end: the server gave up meanwhile.
    let (code, reason) = mute.closed(Duration::from_secs(10)).await;

    assert!(
        sent < MOST_PINGS,
        "the server took {sent} pings from a client that reads nothing"
    );
    assert!(
        matches!(code, None | Some(1013 | 1008)),
        "closed with {code:?} {reason:?} after {sent} pings"
    );
    let growth = peak.saturating_sub(rss_before);
    assert!(
        growth < RSS_GROWTH_KIB,
        "the Channel process grew by {growth} KiB (from {rss_before} KiB) while {sent} pongs \
         went unread"
    );
    assert_eq!(other.pong().await, Vec::<Value>::new());
}
