//! Model management and embeddings as the client sees them.

use coachai_ollama_double::{Endpoint, Model, cosine};
use futures::StreamExt;
use ollama_rs::error::OllamaError;
use ollama_rs::generation::embeddings::request::{EmbeddingsInput, GenerateEmbeddingsRequest};

use super::{client, double};

#[tokio::test]
async fn the_client_lists_the_installed_models() {
    let double = double().await;
    let models = client(&double)
        .list_local_models()
        .await
        .expect("list models");
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["smollm2:135m", "all-minilm:latest"]);
    assert!(
        models
            .iter()
            .all(|m| m.size > 0 && !m.modified_at.is_empty())
    );
}

#[tokio::test]
async fn show_reports_context_length_embedding_length_and_capabilities() {
    let double = double().await;
    double.add_model(Model::completion("coach:7b").with_context_length(2048));
    let ollama = client(&double);
    let chat = ollama
        .show_model_info("coach:7b".into())
        .await
        .expect("show chat model");
    assert_eq!(chat.model_info["general.architecture"], "llama");
    assert_eq!(chat.model_info["llama.context_length"], 2048);
    assert_eq!(chat.capabilities, ["completion"]);
    let embedder = ollama
        .show_model_info("all-minilm".into())
        .await
        .expect("show embedder");
    assert_eq!(embedder.model_info["bert.embedding_length"], 384);
    assert_eq!(embedder.capabilities, ["embedding"]);
}

#[tokio::test]
async fn a_missing_model_is_a_404_saying_to_pull_it() {
    let double = double().await;
    let error = client(&double)
        .show_model_info("nope".into())
        .await
        .unwrap_err();
    let OllamaError::Other(body) = error else {
        panic!("expected the error body, got {error:?}");
    };
    assert_eq!(
        body,
        r#"{"error":"model \"nope\" not found, try pulling it first"}"#
    );
}

#[tokio::test]
async fn pull_streams_progress_then_success_and_installs_the_model() {
    let double = double().await;
    let ollama = client(&double);
    let mut progress = ollama
        .pull_model_stream("llama3.2".into(), false)
        .await
        .expect("pull");
    let mut statuses = Vec::new();
    while let Some(status) = progress.next().await {
        statuses.push(status.expect("a progress line"));
    }
    assert_eq!(
        statuses.first().map(|s| s.message.as_str()),
        Some("pulling manifest")
    );
    assert_eq!(statuses.last().map(|s| s.message.as_str()), Some("success"));
    let downloads: Vec<_> = statuses.iter().filter(|s| s.total.is_some()).collect();
    assert!(
        downloads.len() >= 2,
        "download progress lines: {statuses:?}"
    );
    let last = downloads.last().expect("a download line");
    assert_eq!(last.completed, last.total);
    assert!(double.models().contains(&"llama3.2:latest".to_owned()));
}

#[tokio::test]
async fn pulling_a_model_the_registry_lacks_streams_an_error() {
    let double = double().await;
    let ollama = client(&double);
    let mut progress = ollama
        .pull_model_stream("ghost".into(), false)
        .await
        .expect("pull");
    let mut error = None;
    while let Some(status) = progress.next().await {
        if let Err(e) = status {
            error = Some(e);
        }
    }
    let Some(OllamaError::InternalError(error)) = error else {
        panic!("expected an error line, got {error:?}");
    };
    assert_eq!(error.message, "pull model manifest: file does not exist");
    assert!(!double.models().iter().any(|m| m.starts_with("ghost")));
}

#[tokio::test]
async fn delete_removes_the_model_and_a_second_delete_is_a_404() {
    let double = double().await;
    let ollama = client(&double);
    ollama
        .delete_model("smollm2:135m".into())
        .await
        .expect("delete");
    assert_eq!(double.models(), ["all-minilm:latest"]);
    assert!(ollama.delete_model("smollm2:135m".into()).await.is_err());
    assert_eq!(double.requests_to(Endpoint::Delete).len(), 2);
}

#[tokio::test]
async fn embeddings_of_related_texts_are_closer_than_of_unrelated_ones() {
    let double = double().await;
    let texts = vec![
        "kettlebell swing breathing",
        "breathe during the kettlebell swing",
        "sleep hygiene at night",
    ];
    let request = GenerateEmbeddingsRequest::new("all-minilm".into(), EmbeddingsInput::from(texts));
    let response = client(&double)
        .generate_embeddings(request)
        .await
        .expect("embed");
    let [query, related, unrelated] = response.embeddings.as_slice() else {
        panic!(
            "three inputs give three vectors, got {}",
            response.embeddings.len()
        );
    };
    assert_eq!(query.len(), 384);
    let norm: f32 = query.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    assert!(cosine(query, related) > cosine(query, unrelated) + 0.4);
}

#[tokio::test]
async fn a_chat_model_refuses_to_embed() {
    let double = double().await;
    let request = GenerateEmbeddingsRequest::new("smollm2:135m".into(), "hello".into());
    let error = client(&double)
        .generate_embeddings(request)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("does not support embeddings"),
        "{error}"
    );
}
