//! Mode `real`: what a user of `make up` waits for with the real small model at `$OLLAMA_URL`
//! (`$OLLAMA_CHAT_MODEL`, `$OLLAMA_EMBED_MODEL`): time to first token and tokens per second of
//! one chat at a time, straight to Ollama and through the engine (retrieval and the engine's
//! prompt included). Each side starts with an unmeasured warm-up call (which loads the model
//! with that side's context window); medians are printed.

use ollama_rs::Ollama;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::models::ModelOptions;

use crate::calls::{Answer, Direct, QUESTION, Transport};
use crate::engine::{Bench, library_as_passages};
use crate::stats::Samples;

/// Tokens a direct answer may have (an engine answer's limit is the engine's own).
const DIRECT_NUM_PREDICT: i32 = 128;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// The medians of one side.
#[derive(Default)]
struct Side {
    first_token: Samples,
    tokens_per_second: Samples,
    tokens: Samples,
    prompt_tokens: Samples,
}

impl Side {
    fn record(&mut self, answer: &Answer, prompt_tokens: Option<f64>) {
        self.first_token.push(answer.first_token);
        self.tokens_per_second.push_ms(answer.tokens_per_second());
        self.tokens.push_ms(answer.tokens as f64);
        self.prompt_tokens
            .push_ms(prompt_tokens.unwrap_or(f64::NAN));
    }

    fn row(&self, label: &str) -> String {
        format!(
            "{label:28}{:>14.0}{:>12.1}{:>10.0}{:>15.0}",
            self.first_token.median(),
            self.tokens_per_second.median(),
            self.tokens.median(),
            self.prompt_tokens.median(),
        )
    }
}

/// Runs `runs` chats per side, one at a time, and prints the medians.
pub async fn run(runs: usize) {
    let url = std::env::var("OLLAMA_URL").expect("OLLAMA_URL is set (source scripts/env.sh)");
    let chat = env_or("OLLAMA_CHAT_MODEL", "smollm2:135m");
    let embedding = env_or("OLLAMA_EMBED_MODEL", "all-minilm:l6-v2");
    let straight = direct_side(&url, &chat, runs).await;
    let through = engine_side(&url, &chat, &embedding, runs).await;
    println!(
        "\n{chat} at {url}, one chat at a time, medians of {runs} runs per side after a warm-up"
    );
    println!(
        "{:28}{:>14}{:>12}{:>10}{:>15}",
        "", "first token ms", "tokens/s", "tokens", "prompt tokens"
    );
    println!("{}", straight.row("direct ollama-rs"));
    println!("{}", straight_note());
    println!("{}", through.row("through the engine"));
}

async fn direct_side(url: &str, chat: &str, runs: usize) -> Side {
    let direct = Direct {
        ollama: Ollama::try_new(url).expect("OLLAMA_URL is a URL"),
        model: chat.to_owned(),
        messages: vec![
            ChatMessage::system(library_as_passages()),
            ChatMessage::user(QUESTION.to_owned()),
        ],
        options: Some(ModelOptions::default().num_predict(DIRECT_NUM_PREDICT)),
    };
    let mut side = Side::default();
    for run in 0..=runs {
        let answer = direct.chat().await.unwrap_or_else(|e| panic!("{url}: {e}"));
        if run > 0 {
            side.record(&answer, answer.last["prompt_tokens"].as_f64());
        }
    }
    side
}

async fn engine_side(url: &str, chat: &str, embedding: &str, runs: usize) -> Side {
    let bench = Bench::new(url).await;
    let creator = bench.creator(chat, embedding).await;
    let token = bench.client(creator).await;
    let engine = Transport::InProcess(bench.router.clone());
    let mut side = Side::default();
    for run in 0..=runs {
        let answer = engine
            .chat(&token)
            .await
            .unwrap_or_else(|e| panic!("engine: {e}"));
        assert_eq!(answer.last["degraded"], false, "{}", answer.last);
        if run > 0 {
            side.record(&answer, answer.last["usage"]["prompt_tokens"].as_f64());
        }
    }
    side
}

fn straight_note() -> String {
    format!(
        "{:28}(the three passages and the question; num_predict {DIRECT_NUM_PREDICT})",
        ""
    )
}
