//! Refreshing the registry from Ollama, and who may read it.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use coachai_ai_engine::registry::{ModelRegistry, ModelStatus, RegistryOptions};
use coachai_common::auth::Role;
use coachai_ollama_double::{Endpoint, Model};

use super::harness::Engine;
use super::{dead_url, engine_on_double, row, serial, unique_model};

#[tokio::test]
async fn a_refresh_records_every_model_of_ollama_with_its_details() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_model(Model::completion(&name).with_context_length(2048));
    let report = engine.registry.refresh().await.unwrap();
    assert_eq!(report.available, 3);

    let creator = engine.creator().await;
    let coach = engine.user(creator, Role::Coach).await;
    let models = engine
        .call(Method::GET, "/models", &coach.token, None)
        .await
        .ok(200);
    let chat = row(&models, "smollm2:135m").expect("the chat model is listed");
    assert_eq!(chat["status"], "available");
    assert_eq!(chat["family"], "llama");
    assert_eq!(chat["parameter_size"], "135M");
    assert_eq!(chat["quantization"], "Q8_0");
    assert_eq!(chat["context_length"], 8192);
    assert_eq!(chat["size_bytes"], 144_808_000);
    assert_eq!(chat["capabilities"], serde_json::json!(["completion"]));
    assert!(
        chat["digest"].as_str().is_some_and(|d| !d.is_empty()),
        "{chat}"
    );
    let embedding = row(&models, "all-minilm:latest").expect("the embedding model is listed");
    assert_eq!(embedding["family"], "bert");
    assert_eq!(embedding["context_length"], 512);
    assert_eq!(embedding["capabilities"], serde_json::json!(["embedding"]));
    assert_eq!(row(&models, &name).unwrap()["context_length"], 2048);
}

#[tokio::test]
async fn a_model_removed_from_ollama_becomes_missing_at_the_next_refresh() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_model(Model::completion(&name));
    engine.registry.refresh().await.unwrap();
    assert!(double.remove_model(&name));
    let report = engine.registry.refresh().await.unwrap();
    assert!(report.missing >= 1, "{report:?}");

    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await;
    let models = engine
        .call(Method::GET, "/models", &owner.token, None)
        .await
        .ok(200);
    assert_eq!(row(&models, &name).unwrap()["status"], "missing");
    assert_eq!(row(&models, "smollm2:135m").unwrap()["status"], "available");
}

#[tokio::test]
async fn a_refresh_while_ollama_is_down_fails_and_keeps_the_rows() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_model(Model::completion(&name));
    engine.registry.refresh().await.unwrap();

    let down = Engine::new(&dead_url().await).await;
    let err = down.registry.refresh().await.unwrap_err();
    assert!(err.to_string().contains("Ollama is unavailable"), "{err}");
    let models = engine.registry.models().await.unwrap();
    let kept = models.iter().find(|m| m.name == name).unwrap();
    assert_eq!(kept.status.as_str(), "available");
}

#[tokio::test]
async fn clients_may_not_read_the_registry() {
    let (_double, engine) = engine_on_double().await;
    let creator = engine.creator().await;
    let client = engine.user(creator, Role::Client).await;
    engine
        .call(Method::GET, "/models", &client.token, None)
        .await
        .problem(403);
    engine
        .call(Method::GET, "/models", "not-a-token", None)
        .await
        .problem(401);
}

#[tokio::test]
async fn the_refresher_picks_up_a_new_model_without_being_asked() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let options = RegistryOptions {
        refresh_every: Duration::from_millis(100),
        cache_ttl: Duration::from_secs(300),
    };
    let registry = ModelRegistry::new(&engine.db, engine.cache.clone(), &double.url(), options);
    let registry = Arc::new(registry.unwrap());
    let refresher = registry.spawn_refresher();
    let first_refresh = async {
        while double.requests_to(Endpoint::Tags).is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), first_refresh)
        .await
        .expect("the refresher lists Ollama's models at once");

    let name = unique_model();
    double.add_model(Model::completion(&name));
    let listed = async {
        loop {
            let models = registry.models().await.unwrap();
            if models
                .iter()
                .any(|m| m.name == name && m.status == ModelStatus::Available)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let seen = tokio::time::timeout(Duration::from_secs(5), listed).await;
    refresher.abort();
    seen.expect("a model added to Ollama is available within a few refreshes");
}
