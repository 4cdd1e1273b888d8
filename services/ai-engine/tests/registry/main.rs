//! Integration tests of the model registry against the real PostgreSQL and Redis of the local
//! stack and the Ollama double. The `models` table is platform data shared by every test, so
//! these tests take turns ([`serial`]) and name their own models uniquely.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod access;
#[path = "../support/harness.rs"]
mod harness;
mod openapi;
mod pull;
mod refresh;
mod resolve;

use coachai_ollama_double::{Config, OllamaDouble};
use serde_json::Value;
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use harness::Engine;

static TURNS: Mutex<()> = Mutex::const_new(());

/// Holds the registry for one test at a time.
pub async fn serial() -> MutexGuard<'static, ()> {
    TURNS.lock().await
}

/// A running double and an engine whose registry reads it.
pub async fn engine_on_double() -> (OllamaDouble, Engine) {
    let double = OllamaDouble::start(Config::default())
        .await
        .expect("the Ollama double starts");
    let engine = Engine::new(&double.url()).await;
    (double, engine)
}

/// A model name no other test uses, `reg-<hex>:1b`.
pub fn unique_model() -> String {
    format!("reg-{}:1b", &Uuid::new_v4().simple().to_string()[..10])
}

/// The URL of a port nothing listens on.
pub async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// The `models` row of `name` as `GET /models` lists it.
pub fn row<'a>(models: &'a Value, name: &str) -> Option<&'a Value> {
    models
        .as_array()
        .expect("the registry is a JSON array")
        .iter()
        .find(|m| m["name"] == name)
}
