//! The whole engine on the real models: content embedded by the worker with MiniLM, the model
//! registry read from the server, and a chat answered by SmolLM2 with sources.

use axum::http::Method;
use coachai_ai_engine::assembly::EngineSettings;
use coachai_common::auth::Role;
use serde_json::json;

use crate::harness::Engine;
use crate::{CHAT_MODEL, EMBEDDING_MODEL, library, ollama_url};

#[tokio::test]
async fn a_chat_on_the_real_models_streams_an_answer_grounded_in_the_creators_material() {
    // A CPU model loading on a busy machine may take seconds before its first token.
    let settings = EngineSettings {
        chat_first_token_secs: 120,
        ..EngineSettings::default()
    };
    let engine = Engine::with_settings(&ollama_url().await, settings).await;
    engine.registry.refresh().await.unwrap();
    let resolved = engine
        .registry
        .resolve_chat_model(CHAT_MODEL, None)
        .await
        .unwrap();
    assert!(resolved.context_length.unwrap_or(0) >= 2048, "{resolved:?}");
    let creator = engine.creator().await;
    library::set_models(&engine.db, creator, CHAT_MODEL, EMBEDDING_MODEL).await;
    let chunks = [
        (
            "Exhale at the top of every kettlebell swing.",
            json!({"page": 2}),
        ),
        (
            "Adults need seven to nine hours of sleep every night.",
            json!({"page": 7}),
        ),
    ];
    let (_, job) = library::add_content(&engine.db, creator, "Kettlebell basics", &chunks).await;
    library::embed(&engine.worker, &engine.db, creator, job).await;
    let client = engine.user(creator, Role::Client).await;

    let body = json!({"message": "How should I breathe during a kettlebell swing?"});
    let reply = engine
        .call(Method::POST, "/chat", &client.token, Some(&body))
        .await
        .ok(200);

    assert_eq!(reply["model"], CHAT_MODEL, "{reply}");
    assert_eq!(reply["degraded"], false, "{reply}");
    assert!(!reply["answer"].as_str().unwrap().trim().is_empty());
    let sources = reply["sources"].as_array().unwrap();
    assert_eq!(sources[0]["location"], json!({"page": 2}), "{sources:?}");
    assert!(reply["usage"]["completion_tokens"].as_u64().unwrap() > 0);
}
