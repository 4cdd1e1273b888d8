//! Which model a chat gets: the wanted one, the fallback, or a 503 naming the missing model.

use coachai_common::AppError;
use coachai_ollama_double::Model;

use super::{engine_on_double, serial, unique_model};

#[tokio::test]
async fn the_wanted_model_is_used_when_it_is_available() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_model(Model::completion(&name).with_context_length(4096));
    engine.registry.refresh().await.unwrap();

    let resolved = engine
        .registry
        .resolve_chat_model(&name, Some("smollm2:135m"))
        .await
        .unwrap();
    assert_eq!(resolved.name, name);
    assert_eq!(resolved.context_length, Some(4096));
    assert!(!resolved.fell_back);
    assert_eq!(
        engine.registry.context_length(&name).await.unwrap(),
        Some(4096)
    );
    let untagged = engine
        .registry
        .resolve_chat_model("all-minilm", None)
        .await
        .unwrap();
    assert_eq!(untagged.name, "all-minilm:latest");
}

#[tokio::test]
async fn the_fallback_is_used_and_said_so_when_the_wanted_model_is_absent() {
    let _turn = serial().await;
    let (_double, engine) = engine_on_double().await;
    engine.registry.refresh().await.unwrap();
    let wanted = unique_model();

    let resolved = engine
        .registry
        .resolve_chat_model(&wanted, Some("smollm2:135m"))
        .await
        .unwrap();
    assert_eq!(resolved.name, "smollm2:135m");
    assert_eq!(resolved.context_length, Some(8192));
    assert!(resolved.fell_back);
}

#[tokio::test]
async fn without_wanted_or_fallback_the_error_is_a_503_naming_the_missing_model() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let gone = unique_model();
    double.add_model(Model::completion(&gone));
    engine.registry.refresh().await.unwrap();
    double.remove_model(&gone);
    engine.registry.refresh().await.unwrap();
    let wanted = unique_model();

    let err = engine
        .registry
        .resolve_chat_model(&wanted, Some(&gone))
        .await
        .unwrap_err();
    let problem = AppError::from(err).problem();
    assert_eq!(problem.status, 503);
    assert!(
        problem.detail.contains(&format!("`{wanted}`")),
        "{}",
        problem.detail
    );
    assert!(
        problem.detail.contains(&format!("`{gone}`")),
        "{}",
        problem.detail
    );

    let alone = engine
        .registry
        .resolve_chat_model(&wanted, None)
        .await
        .unwrap_err();
    let problem = AppError::from(alone).problem();
    assert_eq!(problem.status, 503);
    assert!(problem.detail.contains("no fallback"), "{}", problem.detail);
    assert_eq!(engine.registry.context_length(&wanted).await.unwrap(), None);
}
