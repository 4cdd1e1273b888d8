//! The chat path's figures (issue 9, "Performance"), measured rather than asserted.
//!
//! `double` (default): the platform's overhead on time to first token at 32 simultaneous
//! streaming chats, against direct `ollama-rs` calls to the same Ollama double in the same run
//! (target: overhead p50 < 5 ms, p99 < 15 ms). `real`: time to first token and tokens per second
//! with the real small model at `$OLLAMA_URL`, direct and through the engine. `parts`: the
//! preparation's steps that wait on another server, each timed alone at the same concurrency.
//! All need the dev stack's PostgreSQL, Redis and ChromaDB. Run:
//! `source /work/devenv.sh && source scripts/env.sh &&
//!  cargo bench -p coachai-ai-engine --bench chat_overhead [-- [double|real|parts] [--socket]
//!  [--rounds N] [--concurrency N] [--rate TOKENS_PER_S] [--runs N]]`
//! Figures: `docs/03-api-specifications/ai-engine.md`.

// A bench without its dependencies must stop loudly, not measure nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod engine;
#[path = "../../tests/support/library.rs"]
mod library;
mod overhead;
mod parts;
mod real;
mod stats;

/// What the command line asked for.
struct Args {
    real: bool,
    parts: bool,
    runs: usize,
    overhead: overhead::Options,
}

fn parse() -> Args {
    let mut args = Args {
        real: false,
        parts: false,
        runs: 5,
        overhead: overhead::Options {
            rounds: 20,
            concurrency: 32,
            token_rate: 50.0,
            socket: false,
        },
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut number = |name: &str| -> f64 {
            let value = words.next().unwrap_or_default();
            value
                .parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {value:?}"))
        };
        match word.as_str() {
            "double" => args.real = false,
            "real" => args.real = true,
            "parts" => args.parts = true,
            "--socket" => args.overhead.socket = true,
            "--rounds" => args.overhead.rounds = number("--rounds") as usize,
            "--concurrency" => args.overhead.concurrency = number("--concurrency") as usize,
            "--rate" => args.overhead.token_rate = number("--rate"),
            "--runs" => args.runs = number("--runs") as usize,
            // cargo bench passes `--bench` to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other:?}; see the header of chat_overhead/main.rs"),
        }
    }
    args
}

#[tokio::main]
async fn main() {
    let args = parse();
    if args.real {
        real::run(args.runs).await;
    } else if args.parts {
        parts::run(args.overhead.rounds, args.overhead.concurrency).await;
    } else {
        overhead::run(&args.overhead).await;
    }
}
