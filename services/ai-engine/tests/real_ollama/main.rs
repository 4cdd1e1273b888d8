//! The small suite against the REAL local Ollama the stack runs (`OLLAMA_URL`, started by
//! `scripts/stack/up.sh` with SmolLM2-135M and all-MiniLM-L6-v2 imported): the client shapes
//! the engine relies on, with real models. Everything else runs against the double.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod engine;
// Shared with the other suites; this one uses only part of it.
#[allow(dead_code)]
#[path = "../support/harness.rs"]
mod harness;
#[path = "../support/library.rs"]
mod library;
mod shapes;

/// The chat model `make up` imports.
pub const CHAT_MODEL: &str = "smollm2:135m";
/// The embedding model `make up` imports.
pub const EMBEDDING_MODEL: &str = "all-minilm:l6-v2";

/// The real Ollama's URL; fails, naming what is missing, unless it answers with both models.
pub async fn ollama_url() -> String {
    let url = std::env::var("OLLAMA_URL").unwrap_or_else(|_| "http://127.0.0.1:11434".into());
    let tags = reqwest::get(format!("{url}/api/tags"))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the real Ollama does not answer at {url} ({e}); start it with scripts/stack/up.sh"
            )
        });
    let body: serde_json::Value = tags.json().await.expect("Ollama lists its models");
    let names = body["models"].to_string();
    for model in [CHAT_MODEL, EMBEDDING_MODEL] {
        assert!(
            names.contains(model),
            "the real Ollama at {url} lacks {model}; scripts/ollama/models.sh imports it"
        );
    }
    url
}
