//! What bounds the number of connections on this machine, checked before a run rather than
//! discovered as a wall of failed connects: the open-file limit (raised as far as the process
//! may, before the Channel child is spawned so it inherits it) and the ephemeral ports of each
//! source address. Nothing is changed silently: every adjustment and every cap is printed.

use std::net::{IpAddr, Ipv4Addr};

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// File descriptors kept aside for everything but the connections (database and Redis pools,
/// listeners, log files, the runtime).
const RESERVE_FDS: u64 = 256;
/// Connections opened from one source address (the ephemeral range has ~28k ports).
pub const PER_SOURCE: usize = 20_000;

/// Raises this process's RLIMIT_NOFILE for `connections` sockets plus a reserve, and returns how
/// many connections one process (this one, and the Channel child that inherits the limit) can
/// hold. Prints what it did and, when the hard limit cannot be raised, why the run is capped.
pub fn raise_nofile(connections: usize) -> usize {
    let wanted = connections as u64 + RESERVE_FDS;
    let current = getrlimit(Resource::Nofile);
    let hard = current.maximum.unwrap_or(u64::MAX);
    let nr_open = read_sysctl("fs/nr_open").unwrap_or(hard);
    if hard < wanted {
        let target = wanted.min(nr_open);
        let raised = setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(target),
                maximum: Some(target),
            },
        );
        match raised {
            Ok(()) => println!("RLIMIT_NOFILE raised to {target} (soft and hard)"),
            Err(err) => println!(
                "RLIMIT_NOFILE hard limit is {hard} and cannot be raised to {target} ({err}: \
                 the process lacks CAP_SYS_RESOURCE); one process holds at most {} sockets",
                hard.saturating_sub(RESERVE_FDS)
            ),
        }
    }
    let limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    let soft = limit.current.unwrap_or(u64::MAX);
    if soft < hard.min(wanted) {
        let to = hard.min(wanted);
        match setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(to),
                maximum: limit.maximum,
            },
        ) {
            Ok(()) => println!("RLIMIT_NOFILE soft limit raised from {soft} to {to}"),
            Err(err) => println!("RLIMIT_NOFILE soft limit stays {soft}: {err}"),
        }
    }
    let soft = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    let room = usize::try_from(soft.saturating_sub(RESERVE_FDS)).unwrap_or(usize::MAX);
    room.min(connections)
}

/// The source addresses for `connections` connections: 127.0.0.2, 127.0.0.3, ... with at most
/// [`PER_SOURCE`] each (all of 127.0.0.0/8 is the loopback on Linux).
pub fn sources(connections: usize) -> Vec<IpAddr> {
    let count = connections.div_ceil(PER_SOURCE).max(1);
    (0..count)
        .map(|i| {
            let host = u8::try_from(i + 2).unwrap_or(u8::MAX);
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, host))
        })
        .collect()
}

/// Prints the kernel settings that bound a run of `connections` sockets on each side, and says
/// which one is short.
pub fn report_kernel(connections: usize) {
    let ports = read_range("net/ipv4/ip_local_port_range");
    let file_max = read_sysctl("fs/file-max");
    let nr_open = read_sysctl("fs/nr_open");
    let conntrack = read_sysctl("net/netfilter/nf_conntrack_max");
    println!(
        "kernel: ip_local_port_range {} ports/source, fs.nr_open {}, fs.file-max {}, \
         nf_conntrack_max {}",
        show(ports),
        show(nr_open),
        show(file_max),
        show(conntrack)
    );
    let sockets = 2 * connections as u64;
    if ports.is_some_and(|p| p < PER_SOURCE as u64) {
        println!("  short: fewer ephemeral ports than {PER_SOURCE} connections per source address");
    }
    if file_max.is_some_and(|f| f < sockets) {
        println!("  short: fs.file-max is below the {sockets} sockets of both sides");
    }
    if conntrack.is_some_and(|c| c < connections as u64) {
        println!("  short: nf_conntrack_max is below {connections} tracked connections");
    }
}

/// A `/proc/sys` value as a number.
fn read_sysctl(name: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/sys/{name}"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The size of a `low high` range in `/proc/sys`.
fn read_range(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/sys/{name}")).ok()?;
    let mut bounds = text.split_whitespace().map(|n| n.parse::<u64>().ok());
    let (low, high) = (bounds.next()??, bounds.next()??);
    Some(high.saturating_sub(low) + 1)
}

/// A value or `?` when unreadable.
fn show(value: Option<u64>) -> String {
    value.map_or_else(|| "?".to_owned(), |v| v.to_string())
}
