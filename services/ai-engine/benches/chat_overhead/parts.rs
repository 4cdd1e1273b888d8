//! Mode `parts`: the steps of a chat's preparation that wait on another server, each timed
//! alone at the same concurrency as the overhead run (a tenant transaction on the engine's pool,
//! the rate-limit check in Redis, the question's embedding by the double, the ChromaDB query),
//! to see which of them grows with simultaneous chats.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coachai_ai_engine::ollama::OllamaClient;
use coachai_ai_engine::vectors::VectorStore;
use coachai_common::ratelimit::{Limit, RateLimiter};
use coachai_ollama_double::{Config, OllamaDouble};
use tokio::task::JoinSet;

use crate::calls::QUESTION;
use crate::engine::Bench;
use crate::stats::{self, Samples};

/// Runs `rounds` rounds of `concurrency` simultaneous calls of each step and prints the table.
pub async fn run(rounds: usize, concurrency: usize) {
    let double = OllamaDouble::start(Config::default())
        .await
        .expect("the Ollama double starts");
    let bench = Arc::new(Bench::new(&double.url()).await);
    let creator = bench.creator("smollm2:135m", "all-minilm").await;
    let redis = std::env::var("REDIS_URL").expect("REDIS_URL is set");
    let chroma = std::env::var("CHROMA_URL").expect("CHROMA_URL is set");
    let ollama = OllamaClient::new(&double.url(), Duration::from_secs(5)).expect("a client");
    let vectors = VectorStore::new(&chroma).expect("CHROMA_URL is a URL");
    let limiter = Arc::new(RateLimiter::new(&redis));
    let embedding = ollama
        .embed("all-minilm", vec![QUESTION.to_owned()])
        .await
        .expect("the double embeds")
        .remove(0);
    let embedding = Arc::new(embedding);
    let width = 44;
    println!(
        "\n{concurrency} simultaneous calls x {rounds} rounds of each step of a chat's preparation; ms"
    );
    println!("{}", stats::header(width));
    let step = |label: &str, samples: Samples| println!("{}", stats::row(label, width, &samples));
    step(
        "tenant transaction (1 SELECT), pool of 20",
        time(rounds, concurrency, || {
            let bench = bench.clone();
            async move { bench.tenant_round_trip(creator).await }
        })
        .await,
    );
    step(
        "rate-limit check in Redis",
        time(rounds, concurrency, || {
            let limiter = limiter.clone();
            let key = format!("chat-bench:{}", creator.0);
            async move {
                let limit = Limit::per_secs(1_000_000, 60);
                limiter
                    .check(&[(key.as_str(), limit)])
                    .await
                    .expect("allowed");
            }
        })
        .await,
    );
    step(
        "question embedding (double), OllamaClient",
        time(rounds, concurrency, || {
            let ollama = ollama.clone();
            async move {
                let texts = vec![QUESTION.to_owned()];
                ollama.embed("all-minilm", texts).await.expect("embedded");
            }
        })
        .await,
    );
    step(
        "ChromaDB query (top 5), VectorStore",
        time(rounds, concurrency, || {
            let (vectors, embedding) = (vectors.clone(), embedding.clone());
            async move {
                vectors
                    .query(creator, &embedding, 5, 0.3)
                    .await
                    .expect("queried");
            }
        })
        .await,
    );
}

/// `rounds` (after a warm-up) of `concurrency` simultaneous calls of `call`.
async fn time<F, Fut>(rounds: usize, concurrency: usize, call: F) -> Samples
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut samples = Samples::default();
    for round in 0..=rounds {
        let mut calls = JoinSet::new();
        for _ in 0..concurrency {
            let call = call();
            calls.spawn(async move {
                let started = Instant::now();
                call.await;
                started.elapsed()
            });
        }
        while let Some(took) = calls.join_next().await {
            if round > 0 {
                samples.push(took.expect("a call completes"));
            }
        }
    }
    samples
}
