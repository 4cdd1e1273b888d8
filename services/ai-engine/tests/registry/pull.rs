//! `POST /models/pull`: progress as server-sent events, and the row through `pulling`.

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_ollama_double::{Fault, Model};
use serde_json::{Value, json};

use super::harness::{Engine, read};
use super::{dead_url, engine_on_double, row, serial, unique_model};

/// The `(event, data)` pairs of an event stream.
fn events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            Some((name?, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

async fn status_of(engine: &Engine, name: &str) -> String {
    let models = engine.registry.models().await.unwrap();
    let entry = models
        .iter()
        .find(|m| m.name == name)
        .expect("the model has a row");
    entry.status.as_str().to_owned()
}

#[tokio::test]
async fn a_pull_streams_progress_then_done_and_the_model_becomes_available() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_to_registry(Model::completion(&name).with_context_length(16384));
    double.set_token_rate(Some(20.0));
    let creator = engine.creator().await;
    let admin = engine.user(creator, Role::Admin).await;

    let body = json!({"name": name});
    let response = engine
        .respond(Method::POST, "/models/pull", &admin.token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(status_of(&engine, &name).await, "pulling");

    let reply = read(response).await;
    let events = events(&reply.text);
    let (last, progress) = events.split_last().expect("events were sent");
    assert!(progress.len() >= 4, "{}", reply.text);
    assert!(
        progress.iter().all(|(e, _)| e == "progress"),
        "{}",
        reply.text
    );
    let download = progress.iter().find(|(_, d)| d["total"].is_u64()).unwrap();
    assert!(download.1["completed"].as_u64() <= download.1["total"].as_u64());
    assert_eq!(last.0, "done", "{}", reply.text);
    assert_eq!(last.1["name"], name);
    assert_eq!(last.1["status"], "available");
    assert_eq!(last.1["context_length"], 16384);

    assert_eq!(status_of(&engine, &name).await, "available");
    let models = engine
        .call(Method::GET, "/models", &admin.token, None)
        .await
        .ok(200);
    assert_eq!(row(&models, &name).unwrap()["family"], "llama");
    let resolved = engine
        .registry
        .resolve_chat_model(&name, None)
        .await
        .unwrap();
    assert_eq!(resolved.context_length, Some(16384));
}

#[tokio::test]
async fn a_pull_the_client_walked_away_from_still_settles_the_row() {
    let _turn = serial().await;
    let (double, engine) = engine_on_double().await;
    let name = unique_model();
    double.add_to_registry(Model::completion(&name));
    double.set_token_rate(Some(20.0));
    let owner = engine.user(engine.creator().await, Role::Owner).await;

    let body = json!({"name": name});
    let response = engine
        .respond(Method::POST, "/models/pull", &owner.token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    drop(response);
    assert_eq!(status_of(&engine, &name).await, "pulling");
    let settled = async {
        while status_of(&engine, &name).await == "pulling" {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), settled)
        .await
        .expect("the pull ran to its end without a reader");
    assert_eq!(status_of(&engine, &name).await, "available");
}

#[tokio::test]
async fn a_pull_of_a_model_ollama_does_not_have_ends_with_a_404_error_event() {
    let _turn = serial().await;
    let (_double, engine) = engine_on_double().await;
    let name = unique_model();
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await;

    let body = json!({"name": name});
    let reply = engine
        .call(Method::POST, "/models/pull", &owner.token, Some(&body))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let events = events(&reply.text);
    let (last, _) = events.split_last().expect("events were sent");
    assert_eq!(last.0, "error", "{}", reply.text);
    assert_eq!(last.1["status"], 404);
    assert_eq!(last.1["type"], "https://coachai.dev/problems/not-found");
    assert!(
        last.1["detail"].as_str().unwrap().contains(&name),
        "{}",
        last.1
    );
    assert_eq!(status_of(&engine, &name).await, "failed");
}

#[tokio::test]
async fn a_pull_while_ollama_is_down_or_failing_is_a_503_problem() {
    let _turn = serial().await;
    let down = Engine::new(&dead_url().await).await;
    let creator = down.creator().await;
    let owner = down.user(creator, Role::Owner).await;
    let body = json!({"name": "llama3.2"});
    let reply = down
        .call(Method::POST, "/models/pull", &owner.token, Some(&body))
        .await
        .problem(503);
    assert!(
        reply.body["detail"].as_str().unwrap().contains("Ollama"),
        "{}",
        reply.text
    );

    let (double, failing) = engine_on_double().await;
    double.set_fault(Fault::Status500);
    let owner = failing.user(failing.creator().await, Role::Owner).await;
    failing
        .call(Method::POST, "/models/pull", &owner.token, Some(&body))
        .await
        .problem(503);
}

#[tokio::test]
async fn only_owners_and_admins_may_pull_and_only_model_names() {
    let (_double, engine) = engine_on_double().await;
    let creator = engine.creator().await;
    let coach = engine.user(creator, Role::Coach).await;
    let owner = engine.user(creator, Role::Owner).await;
    let body = json!({"name": "llama3.2"});
    engine
        .call(Method::POST, "/models/pull", &coach.token, Some(&body))
        .await
        .problem(403);
    let bad = json!({"name": "llama; rm -rf /"});
    let reply = engine
        .call(Method::POST, "/models/pull", &owner.token, Some(&bad))
        .await
        .problem(422);
    assert_eq!(reply.body["errors"][0]["field"], "name", "{}", reply.text);
}
