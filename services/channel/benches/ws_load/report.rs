//! The tables a run prints (Markdown, pasted as is into the Channel's API page), with each
//! figure's ratio to the target.

use crate::{fanout, idle};

/// Target resident memory per idle connection, KiB (issue 10).
const TARGET_KIB_PER_CONNECTION: f64 = 10.0;
/// Target p99 delivery latency at the default rate, milliseconds (issue 10).
const TARGET_P99_MS: f64 = 20.0;

/// Prints the idle run's table.
pub fn idle(outcome: &idle::Outcome) {
    let opened = outcome.opened.max(1) as f64;
    let delta = outcome.rss_after.saturating_sub(outcome.rss_before) as f64;
    let per_connection = delta / opened;
    let cpu_share = outcome.cpu.as_secs_f64() / outcome.window.as_secs_f64();
    let heartbeat = outcome.heartbeat.as_secs_f64();
    let heartbeats = opened * outcome.window.as_secs_f64() / heartbeat;
    println!();
    println!("| idle | value |");
    println!("|---|---|");
    println!(
        "| connections asked / open | {} / {} |",
        outcome.wanted, outcome.opened
    );
    if outcome.failed > 0 {
        let reason = outcome.first_error.as_deref().unwrap_or("?");
        println!("| failed to open | {} (first: {reason}) |", outcome.failed);
    }
    println!(
        "| time to open them | {:.1} s |",
        outcome.open_time.as_secs_f64()
    );
    println!(
        "| server RSS before / after | {:.1} MiB / {:.1} MiB |",
        outcome.rss_before as f64 / 1024.0,
        outcome.rss_after as f64 / 1024.0
    );
    println!(
        "| server RSS per connection | {per_connection:.1} KiB ({:.2}× the {TARGET_KIB_PER_CONNECTION} KiB target) |",
        per_connection / TARGET_KIB_PER_CONNECTION
    );
    println!(
        "| server CPU over {:.0} s idle | {:.2} s ({:.1} % of one core; {:.1} µs per heartbeat at {heartbeat} s) |",
        outcome.window.as_secs_f64(),
        outcome.cpu.as_secs_f64(),
        cpu_share * 100.0,
        outcome.cpu.as_secs_f64() * 1e6 / heartbeats
    );
    println!(
        "| connections still open after the window | {} |",
        outcome.open_at_end
    );
    println!(
        "| client RSS (bench process) | {:.1} MiB ({:.1} KiB per connection) |",
        outcome.client_rss as f64 / 1024.0,
        outcome.client_rss as f64 / opened
    );
}

/// Prints the fanout run's table.
pub fn fanout(options: &fanout::Options, outcome: &fanout::Outcome) {
    let lost = outcome.sent.saturating_sub(outcome.delivered);
    let p99 = percentile(&outcome.latencies, 99.0);
    println!();
    println!("| fanout | value |");
    println!("|---|---|");
    println!(
        "| clients (2 processes) / target rate / duration | {} / {} msg/s / {} s |",
        options.clients, options.rate, options.secs
    );
    println!(
        "| appended | {} ({:.0} msg/s achieved) |",
        outcome.sent,
        outcome.sent as f64 / outcome.send_time.as_secs_f64().max(1e-9)
    );
    println!(
        "| delivered | {} ({:.0} msg/s, first append to last delivery) |",
        outcome.delivered,
        outcome.delivered as f64 / outcome.span.as_secs_f64().max(1e-9)
    );
    println!("| lost | {lost} |");
    println!("| clients with a seq gap | {} |", outcome.out_of_order);
    println!(
        "| latency p50 / p99 / max | {} / {} / {} |",
        ms(percentile(&outcome.latencies, 50.0)),
        ms(p99),
        ms(outcome.latencies.last().copied().unwrap_or_default())
    );
    println!(
        "| Channel CPU, both processes, publish + {} s drain | {:.2} s ({:.1} µs per delivered event) |",
        fanout::DRAIN.as_secs(),
        outcome.server_cpu.as_secs_f64(),
        outcome.server_cpu.as_secs_f64() * 1e6 / outcome.delivered.max(1) as f64
    );
    println!(
        "| p99 vs the {TARGET_P99_MS} ms target | {:.2}× |",
        p99 as f64 / 1000.0 / TARGET_P99_MS
    );
}

/// The `p`th percentile of sorted microseconds (nearest rank); 0 when empty.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Microseconds as milliseconds with two decimals.
fn ms(micros: u64) -> String {
    format!("{:.2} ms", micros as f64 / 1000.0)
}
