//! Mode `double`: the platform's overhead on time to first token. Rounds of `concurrency`
//! simultaneous streaming chats through the engine alternate with rounds of as many direct
//! `ollama-rs` streaming chats to the same Ollama double (fixed token rate, no latency), in the
//! same process and run; the first round of each is a discarded warm-up.

use std::time::Duration;

use coachai_ollama_double::{Config, OllamaDouble};
use ollama_rs::Ollama;
use ollama_rs::generation::chat::ChatMessage;
use tokio::task::JoinSet;

use crate::calls::{Answer, Direct, QUESTION, Transport};
use crate::engine::{Bench, library_as_passages};
use crate::stats::{self, Samples};

/// The double's chat and embedding models.
const CHAT_MODEL: &str = "smollm2:135m";
const EMBEDDING_MODEL: &str = "all-minilm";

/// What one run measures.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured rounds per side.
    pub rounds: usize,
    /// Simultaneous chats per round.
    pub concurrency: usize,
    /// The double's tokens per second.
    pub token_rate: f64,
    /// Reach the engine over a loopback socket instead of in-process.
    pub socket: bool,
}

/// Time to first token and the engine's own preparation, per side.
#[derive(Default)]
struct Figures {
    direct: Samples,
    engine: Samples,
    prepare: Samples,
}

/// Runs the comparison and prints its table.
pub async fn run(options: &Options) {
    let double = OllamaDouble::start(Config {
        token_rate: Some(options.token_rate),
        latency: Duration::ZERO,
        ..Config::default()
    })
    .await
    .expect("the Ollama double starts");
    let bench = Bench::new(&double.url()).await;
    let creator = bench.creator(CHAT_MODEL, EMBEDDING_MODEL).await;
    let mut tokens = Vec::new();
    for _ in 0..options.concurrency {
        tokens.push(bench.client(creator).await);
    }
    let transport = transport(&bench, options.socket).await;
    let direct = Direct {
        ollama: Ollama::try_new(double.url()).expect("the double's URL"),
        model: CHAT_MODEL.to_owned(),
        messages: vec![
            ChatMessage::system(library_as_passages()),
            ChatMessage::user(QUESTION.to_owned()),
        ],
        options: None,
    };
    let figures = measure(options, &transport, &tokens, &direct).await;
    print(options, &figures);
}

/// Alternates engine and direct rounds (which goes first alternates too, so a drift in the
/// machine's load falls on both); the first round of each is a warm-up.
async fn measure(
    options: &Options,
    transport: &Transport,
    tokens: &[String],
    direct: &Direct,
) -> Figures {
    let mut figures = Figures::default();
    for round in 0..=options.rounds {
        let (engine, direct) = if round % 2 == 0 {
            let engine = engine_round(transport, tokens).await;
            (engine, direct_round(direct, options.concurrency).await)
        } else {
            let direct = direct_round(direct, options.concurrency).await;
            (engine_round(transport, tokens).await, direct)
        };
        if round > 0 {
            figures.record(&engine, &direct);
        }
    }
    figures
}

async fn transport(bench: &Bench, socket: bool) -> Transport {
    if !socket {
        return Transport::InProcess(bench.router.clone());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let router = bench.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Transport::Socket {
        client: reqwest::Client::new(),
        url: format!("http://{addr}/api/v1/ai/chat"),
    }
}

async fn engine_round(transport: &Transport, tokens: &[String]) -> Vec<Answer> {
    let mut chats = JoinSet::new();
    for token in tokens {
        let (transport, token) = (transport.clone(), token.clone());
        chats.spawn(async move { transport.chat(&token).await });
    }
    let answers = gather(chats).await;
    for answer in &answers {
        assert_eq!(
            answer.last["degraded"], false,
            "an engine answer degraded, so its first token is not the model's: {}",
            answer.last
        );
    }
    answers
}

async fn direct_round(direct: &Direct, concurrency: usize) -> Vec<Answer> {
    let mut chats = JoinSet::new();
    for _ in 0..concurrency {
        let direct = direct.clone();
        chats.spawn(async move { direct.chat().await });
    }
    gather(chats).await
}

async fn gather(mut chats: JoinSet<Result<Answer, String>>) -> Vec<Answer> {
    let mut answers = Vec::new();
    while let Some(joined) = chats.join_next().await {
        match joined.expect("a chat task completes") {
            Ok(answer) => answers.push(answer),
            Err(e) => panic!("a chat failed: {e}"),
        }
    }
    answers
}

impl Figures {
    fn record(&mut self, engine: &[Answer], direct: &[Answer]) {
        for answer in engine {
            self.engine.push(answer.first_token);
            let prepare = answer.last["timings"]["prepare_ms"].as_f64();
            self.prepare.push_ms(prepare.unwrap_or(f64::NAN));
        }
        for answer in direct {
            self.direct.push(answer.first_token);
        }
    }
}

fn print(options: &Options, figures: &Figures) {
    let how = if options.socket {
        "over a loopback socket (axum::serve + reqwest)"
    } else {
        "in-process (tower oneshot)"
    };
    println!(
        "\nTime to first token, {} simultaneous streaming chats x {} rounds per side \
         (n = {} each), Ollama double at {} tokens/s, no latency; engine {how}; ms",
        options.concurrency,
        options.rounds,
        figures.engine.len(),
        options.token_rate,
    );
    let width = 34;
    println!("{}", stats::header(width));
    println!(
        "{}",
        stats::row("direct ollama-rs -> double", width, &figures.direct)
    );
    println!(
        "{}",
        stats::row("through the engine", width, &figures.engine)
    );
    println!(
        "{}",
        stats::difference(
            "overhead (engine - direct)",
            width,
            &figures.engine,
            &figures.direct
        )
    );
    println!(
        "{}",
        stats::ratio(
            "ratio (engine / direct)",
            width,
            &figures.engine,
            &figures.direct
        )
    );
    println!(
        "{}",
        stats::row("engine prepare_ms (done.timings)", width, &figures.prepare)
    );
    println!("target: overhead p50 < 5 ms, p99 < 15 ms");
}
