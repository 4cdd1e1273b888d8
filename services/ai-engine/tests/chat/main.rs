//! The chat path end to end through the router: the real PostgreSQL, Redis and ChromaDB of the
//! local stack, content embedded by the engine's own worker, and the Ollama double as the model.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/shared/test_db.rs"]
mod test_db;

mod degraded_ollama;
mod degraded_stores;
mod grounding;
mod handoff;
#[path = "../support/harness.rs"]
mod harness;
mod input;
#[path = "../support/library.rs"]
mod library;
mod pool;
mod processes;
mod streaming;
mod templates;

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use coachai_ollama_double::{Config, OllamaDouble};
use serde_json::{Value, json};
use uuid::Uuid;

use harness::{Engine, Reply, User};

/// The double's chat and embedding models, which the test creators use.
pub const CHAT_MODEL: &str = "smollm2:135m";
/// See [`CHAT_MODEL`].
pub const EMBEDDING_MODEL: &str = "all-minilm";

/// A double, an engine on it with a fresh registry, and one creator with a library.
pub struct Setup {
    /// The model.
    pub double: OllamaDouble,
    /// The engine under test.
    pub engine: Engine,
    /// Creator A.
    pub creator: CreatorId,
    /// A client of creator A.
    pub client: User,
    /// The creator's content ids, in the order of [`LIBRARY`].
    pub content: Vec<Uuid>,
}

/// Creator A's library: title and chunks with their locations.
pub fn library() -> Vec<(&'static str, Vec<(&'static str, Value)>)> {
    vec![
        (
            "Kettlebell basics",
            vec![(
                "Exhale at the top of every kettlebell swing.",
                json!({"page": 2}),
            )],
        ),
        (
            "Warm-up guide",
            vec![(
                "Circle your hips slowly before you swing a kettlebell.",
                json!({"heading_path": ["Warm-up", "Hips"]}),
            )],
        ),
        (
            "Recovery talk",
            vec![(
                "Sleep eight hours after heavy training days.",
                json!({"start": "00:14:05", "end": "00:14:30"}),
            )],
        ),
    ]
}

impl Setup {
    /// The double with default settings and creator A with [`library`].
    pub async fn new() -> Self {
        let double = OllamaDouble::start(Config::default()).await.unwrap();
        let engine = Engine::new(&double.url()).await;
        Self::on(double, engine).await
    }

    /// Creator A with [`library`] on `engine`.
    pub async fn on(double: OllamaDouble, engine: Engine) -> Self {
        engine.registry.refresh().await.unwrap();
        let creator = engine.creator().await;
        let mut content = Vec::new();
        for (title, chunks) in library() {
            content.push(creator_content(&engine, creator, title, &chunks).await);
        }
        let client = engine.user(creator, Role::Client).await;
        Self {
            double,
            engine,
            creator,
            client,
            content,
        }
    }

    /// Asks `message` as `user` without streaming.
    pub async fn ask(&self, user: &User, body: Value) -> Reply {
        self.engine
            .call(Method::POST, "/chat", &user.token, Some(&body))
            .await
    }
}

/// Sets `creator`'s models to the double's and adds one embedded content item.
pub async fn creator_content(
    engine: &Engine,
    creator: CreatorId,
    title: &str,
    chunks: &[(&str, Value)],
) -> Uuid {
    library::set_models(&engine.db, creator, CHAT_MODEL, EMBEDDING_MODEL).await;
    let (id, job) = library::add_content(&engine.db, creator, title, chunks).await;
    library::embed(&engine.worker, &engine.db, creator, job).await;
    id
}

/// The text between the material markers of a prompt.
pub fn material(prompt: &str) -> &str {
    let start = prompt
        .find("<<<MATERIAL>>>")
        .expect("the prompt has a material section");
    let end = prompt
        .rfind("<<<END MATERIAL>>>")
        .expect("the material section is closed");
    &prompt[start..end]
}

/// The value of the sample `series` (name and labels as Prometheus renders them, e.g.
/// `coachai_chat_answers_total{mode="extractive"}`) on the service's `/metrics`, if present.
pub async fn metric(engine: &Engine, series: &str) -> Option<f64> {
    let request = axum::http::Request::get("/metrics")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(engine.router.clone(), request)
        .await
        .unwrap();
    let text = harness::read(response).await.text;
    text.lines()
        .filter_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .find_map(|value| value.trim().parse().ok())
}

/// `/api/v1/ai/health` as `user` sees it: the overall status and each check's `up`/`down`.
pub async fn health(engine: &Engine, user: &User) -> (String, Value) {
    let report = engine
        .call(Method::GET, "/health", &user.token, None)
        .await
        .ok(200);
    let checks = report["checks"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, check)| (name.clone(), check["status"].clone()))
        .collect();
    (report["status"].as_str().unwrap().to_owned(), checks)
}
