//! The double driven through the real `ollama_rs` client, so its shapes are what clients expect.
// Test helpers panic with a message on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod generation;
mod models;

use std::time::Duration;

use coachai_ollama_double::{Config, OllamaDouble};
use ollama_rs::Ollama;

/// A fresh double with the default models (`smollm2:135m`, `all-minilm`).
async fn double() -> OllamaDouble {
    OllamaDouble::start(Config::default())
        .await
        .expect("the double starts")
}

/// The real client pointed at `double`.
fn client(double: &OllamaDouble) -> Ollama {
    Ollama::try_new(double.url()).expect("the double's URL parses")
}

/// The real client with a request timeout.
fn client_with_timeout(double: &OllamaDouble, timeout: Duration) -> Ollama {
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("reqwest client");
    Ollama::builder()
        .url(double.url())
        .reqwest_client(http)
        .build()
}
