//! `fanout`: two Channel processes, clients split between them, each resumed on its own
//! conversation; the bench appends `token` events through the Channel's event log at a steady
//! rate, each carrying its send time, and every client records how long delivery took.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::channel::{Channel, Settings};
use crate::client::{self, Ws};
use crate::publisher::Publisher;
use crate::stack::{Fixture, Stack};

/// How long clients keep reading after the last append, for events still in flight.
pub const DRAIN: Duration = Duration::from_secs(3);
/// Appends outstanding at once (on distinct conversations, so `seq` order is kept).
const IN_FLIGHT: usize = 32;

/// What the fanout run asks for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Clients, one conversation each, half on each process.
    pub clients: usize,
    /// Appended events per second, over all conversations.
    pub rate: u64,
    /// How long the publisher runs.
    pub secs: u64,
    /// The Channels' heartbeat and idle timeout.
    pub settings: Settings,
}

/// What the fanout run measured.
pub struct Outcome {
    /// Events appended.
    pub sent: u64,
    /// How long appending them took (the achieved send rate is `sent / send_time`).
    pub send_time: Duration,
    /// Events delivered to a client.
    pub delivered: u64,
    /// From the first append to the last delivery.
    pub span: Duration,
    /// Delivery latency of every delivered event, microseconds, sorted.
    pub latencies: Vec<u64>,
    /// Clients that saw a `seq` gap or a repeated `seq`.
    pub out_of_order: usize,
    /// CPU time of both Channel processes from the first append to the end of the drain.
    pub server_cpu: Duration,
}

/// The measurement's clock: every timestamp is microseconds since this instant.
struct Clock(Instant);

impl Clock {
    fn micros(&self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// Runs the fanout scenario.
pub async fn run(stack: &Stack, options: Options) -> anyhow::Result<Outcome> {
    let fixture = stack.fixture(options.clients).await?;
    let env = stack.channel_env();
    let servers = [
        Channel::start(&env, options.settings).await?,
        Channel::start(&env, options.settings).await?,
    ];
    let clock = Arc::new(Clock(Instant::now()));
    let (stop_tx, stop) = watch::channel(false);
    let mut clients = resume_all(&servers, &fixture, &clock, &stop).await?;
    println!("fanout: {} clients resumed on 2 processes", options.clients);
    let publisher = Publisher::new();
    let cpu_before = servers[0].cpu()? + servers[1].cpu()?;
    let started = clock.micros();
    let sent = publish(
        &publisher,
        fixture.user_id,
        &fixture.conversations,
        &options,
        &clock,
    )
    .await?;
    let send_time = Duration::from_micros(clock.micros() - started);
    tokio::time::sleep(DRAIN).await;
    let server_cpu = (servers[0].cpu()? + servers[1].cpu()?).saturating_sub(cpu_before);
    stop_tx.send_replace(true);
    let mut outcome = Outcome {
        sent,
        send_time,
        delivered: 0,
        span: Duration::ZERO,
        latencies: Vec::new(),
        out_of_order: 0,
        server_cpu,
    };
    let mut last = started;
    while let Some(joined) = clients.join_next().await {
        let seen = joined?;
        last = last.max(seen.last_at);
        outcome.add(seen);
    }
    outcome.latencies.sort_unstable();
    outcome.span = Duration::from_micros(last.saturating_sub(started));
    Ok(outcome)
}

impl Outcome {
    /// Counts what one client saw.
    fn add(&mut self, seen: Received) {
        self.delivered += seen.latencies.len() as u64;
        self.latencies.extend(seen.latencies);
        self.out_of_order += usize::from(seen.out_of_order);
    }
}

/// Connects one client per conversation, alternating between `servers`, resumes each on its
/// conversation and leaves it reading until `stop`.
async fn resume_all(
    servers: &[Channel; 2],
    fixture: &Fixture,
    clock: &Arc<Clock>,
    stop: &watch::Receiver<bool>,
) -> anyhow::Result<JoinSet<Received>> {
    let source = crate::limits::sources(1)[0];
    let mut clients = JoinSet::new();
    for (i, conversation) in fixture.conversations.iter().enumerate() {
        let mut ws = client::connect(source, servers[i % 2].addr, &fixture.token).await?;
        client::resume(&mut ws, *conversation).await?;
        clients.spawn(receive(ws, clock.clone(), stop.clone()));
    }
    Ok(clients)
}

/// Appends `token` events round-robin over `conversations` at `options.rate` a second for
/// `options.secs`, paced in 1 ms slots, each append its own task with up to [`IN_FLIGHT`]
/// outstanding; returns how many were appended.
async fn publish(
    publisher: &Publisher,
    owner: Uuid,
    conversations: &[Uuid],
    options: &Options,
    clock: &Clock,
) -> anyhow::Result<u64> {
    let total = options.rate * options.secs;
    let mut ticker = tokio::time::interval(Duration::from_millis(1));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let begin = Instant::now();
    let mut sent = 0u64;
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut appends = JoinSet::new();
    while sent < total {
        ticker.tick().await;
        let elapsed = u64::try_from(begin.elapsed().as_micros()).unwrap_or(u64::MAX);
        let due = (elapsed.saturating_mul(options.rate) / 1_000_000).min(total);
        while sent < due {
            let permit = permits.clone().acquire_owned().await?;
            let conversation = conversations[(sent % conversations.len() as u64) as usize];
            let (publisher, at) = (publisher.clone(), clock.micros());
            appends.spawn(async move {
                let appended = publisher.token(owner, conversation, at).await;
                drop(permit);
                appended
            });
            sent += 1;
        }
        while let Some(done) = appends.try_join_next() {
            done??;
        }
    }
    while let Some(done) = appends.join_next().await {
        done??;
    }
    Ok(sent)
}

/// What one client saw.
struct Received {
    latencies: Vec<u64>,
    last_at: u64,
    out_of_order: bool,
}

/// Reads `token` events until told to stop, recording each one's latency from the send time in
/// its text, and whether its `seq`s followed each other without gap.
async fn receive(mut ws: Ws, clock: Arc<Clock>, mut stop: watch::Receiver<bool>) -> Received {
    let mut seen = Received {
        latencies: Vec::new(),
        last_at: 0,
        out_of_order: false,
    };
    let mut last_seq = None;
    loop {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            _ = stop.changed() => break,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            // Pings are answered by tungstenite while it reads.
            Some(Ok(_)) => continue,
        };
        let now = clock.micros();
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let sent_at = event["text"].as_str().and_then(|t| t.parse::<u64>().ok());
        let (Some(sent_at), Some(seq)) = (sent_at, event["seq"].as_u64()) else {
            continue;
        };
        seen.out_of_order |= last_seq.is_some_and(|last| seq != last + 1);
        last_seq = Some(seq);
        seen.latencies.push(now.saturating_sub(sent_at));
        seen.last_at = now;
    }
    seen
}
