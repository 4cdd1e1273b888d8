//! Load benchmark of the Channel's WebSocket endpoint against real Channel processes (the release
//! binary) on the dev stack's PostgreSQL and Redis (issue 10, "Performance"):
//!
//! - `idle`: N authenticated connections on one process; its resident memory per connection and
//!   its CPU time over a window of heartbeats;
//! - `fanout`: two processes, one client per conversation split between them, `token` events
//!   appended through the event log at a steady rate; delivery rate, latency and losses.
//!
//! Run: `cargo bench -p coachai-channel --bench ws_load -- idle [--connections N]
//! [--window-secs S]` or `... -- fanout [--clients N] [--rate R] [--secs S]`, after
//! `source scripts/env.sh`. Figures: `docs/03-api-specifications/channel.md`, "Performance".

mod channel;
mod client;
mod fanout;
mod idle;
mod limits;
mod publisher;
mod report;
mod stack;

use std::time::Duration;

use anyhow::{Context, bail};

use crate::channel::Settings;
use crate::stack::Stack;

/// The production heartbeat and idle timeout (`CHANNEL_HEARTBEAT_SECS`, `CHANNEL_IDLE_SECS`).
const SETTINGS: Settings = Settings {
    heartbeat_secs: 20,
    idle_secs: 60,
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; the scenario is the first other argument.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    let scenario = args.first().map(String::as_str).unwrap_or_default();
    match scenario {
        "idle" => {
            let options = idle::Options {
                connections: flag(&args, "--connections", 100_000)?,
                window: Duration::from_secs(flag(&args, "--window-secs", 60)?),
                settings: SETTINGS,
            };
            let stack = Stack::start().await?;
            report::idle(&idle::run(&stack, options).await?);
        }
        "fanout" => {
            let options = fanout::Options {
                clients: flag(&args, "--clients", 1_000)?,
                rate: flag(&args, "--rate", 5_000)?,
                secs: flag(&args, "--secs", 10)?,
                settings: SETTINGS,
            };
            let stack = Stack::start().await?;
            report::fanout(&options, &fanout::run(&stack, options).await?);
        }
        _ => bail!(
            "usage: cargo bench -p coachai-channel --bench ws_load -- idle|fanout [--connections N] \
             [--window-secs S] [--clients N] [--rate R] [--secs S]"
        ),
    }
    Ok(())
}

/// The value after `name` in `args`, else `default`.
fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> anyhow::Result<T> {
    let Some(at) = args.iter().position(|arg| arg == name) else {
        return Ok(default);
    };
    let value = args
        .get(at + 1)
        .with_context(|| format!("{name} needs a value"))?;
    value
        .parse()
        .ok()
        .with_context(|| format!("{name}: `{value}` is not a number"))
}
