//! When the model fails (an error status, a reset connection, no first token before the
//! deadline) the client still gets an answer: extractive, worded as such, quoting and citing
//! the passages, marked degraded, and an Ollama that is gone shows in `/health` until it is
//! back; after three failures the breaker stops calling the model
//! until its cool-down ends, and then the model answers again.

use std::time::{Duration, Instant};

use axum::http::Method;
use coachai_ai_engine::assembly::EngineSettings;
use coachai_ollama_double::{Config, Endpoint, Fault, FaultRule, OllamaDouble};
use serde_json::{Value, json};

use crate::harness::Engine;
use crate::streaming::events;
use crate::{CHAT_MODEL, Setup, health, metric};

const QUESTION: &str = "How should I breathe during a kettlebell swing?";

/// One second to the first token; the breaker cools down for two (enough to see it open on a
/// loaded machine, short enough to wait for).
fn settings() -> EngineSettings {
    EngineSettings {
        chat_first_token_secs: 1,
        ollama_breaker_secs: 2,
        ..EngineSettings::default()
    }
}

/// Creator A's library on a double whose chat endpoint has `fault`.
async fn failing(fault: Fault) -> Setup {
    let double = OllamaDouble::start(Config::default()).await.unwrap();
    let engine = Engine::with_settings(&double.url(), settings()).await;
    let setup = Setup::on(double, engine).await;
    setup
        .double
        .inject(FaultRule::new(fault).on(Endpoint::Chat));
    setup
}

async fn ask(setup: &Setup) -> Value {
    setup
        .ask(&setup.client, json!({"message": QUESTION}))
        .await
        .ok(200)
}

/// The answer says it is not the model's, quotes the passage with its place, and cites it
/// (full-text search alone may rank it level with another passage, so not necessarily first).
fn assert_extractive(reply: &Value) {
    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.contains("cannot write an answer right now"),
        "{answer}"
    );
    assert!(
        answer.contains(
            "Kettlebell basics, page 2: \"Exhale at the top of every kettlebell swing.\""
        ),
        "{answer}"
    );
    assert_eq!(reply["degraded"], true, "{reply}");
    assert_eq!(reply["model"], Value::Null, "{reply}");
    assert!(reply["degraded_reason"].is_string(), "{reply}");
    let sources = reply["sources"].as_array().unwrap();
    let cited = sources.iter().find(|s| s["title"] == "Kettlebell basics");
    assert_eq!(
        cited.map(|s| &s["location"]),
        Some(&json!({"page": 2})),
        "{reply}"
    );
}

#[tokio::test]
async fn a_model_that_answers_500_gives_an_extractive_answer_that_says_so_and_cites_its_passages() {
    let setup = failing(Fault::Status500).await;
    let reply = ask(&setup).await;
    assert_extractive(&reply);
    assert_eq!(setup.double.requests_to(Endpoint::Chat).len(), 1);
}

#[tokio::test]
async fn a_model_that_resets_the_connection_gives_an_extractive_answer() {
    let setup = failing(Fault::ResetConnection).await;
    assert_extractive(&ask(&setup).await);
}

#[tokio::test]
async fn a_model_silent_past_the_first_token_deadline_gives_an_extractive_answer_at_the_deadline() {
    let setup = failing(Fault::Hang).await;
    let started = Instant::now();
    let reply = ask(&setup).await;
    let took = started.elapsed();
    assert_extractive(&reply);
    let reason = reply["degraded_reason"].as_str().unwrap();
    assert!(reason.contains("within 1 s"), "{reason}");
    assert!(took >= Duration::from_secs(1), "answered after {took:?}");
    assert!(took < Duration::from_secs(10), "answered after {took:?}");
}

#[tokio::test]
async fn a_model_slower_than_the_deadline_gives_an_extractive_answer() {
    let setup = failing(Fault::Slow(Duration::from_secs(5))).await;
    let started = Instant::now();
    assert_extractive(&ask(&setup).await);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_streamed_answer_of_a_failing_model_quotes_the_passages_and_ends_with_done() {
    let setup = failing(Fault::Status500).await;
    let body = json!({"message": QUESTION, "stream": true});
    let response = setup
        .engine
        .respond(Method::POST, "/chat", &setup.client.token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    let mut body = response.into_body();

    let seen = events(&mut body, |name| name == "done" || name == "error").await;

    let (last, done, _) = seen.last().unwrap();
    assert_eq!(last, "done", "{seen:?}");
    let text: String = seen
        .iter()
        .filter(|e| e.0 == "token")
        .map(|e| e.1["text"].as_str().unwrap())
        .collect();
    let mut reply = done.clone();
    reply["answer"] = Value::String(text);
    assert_extractive(&reply);
}

#[tokio::test]
async fn an_extractive_answer_is_counted_in_the_services_metrics() {
    let setup = failing(Fault::Status500).await;
    let series = "coachai_chat_answers_total{mode=\"extractive\"}";
    let before = metric(&setup.engine, series).await.unwrap_or(0.0);

    assert_extractive(&ask(&setup).await);

    let after = metric(&setup.engine, series).await;
    assert!(
        after >= Some(before + 1.0),
        "{series}: {before} then {after:?}"
    );
}

#[tokio::test]
async fn after_three_failed_answers_the_model_is_left_alone_until_the_cool_down_ends() {
    let setup = failing(Fault::Status500).await;
    for _ in 0..3 {
        assert_extractive(&ask(&setup).await);
    }
    assert_eq!(setup.double.requests_to(Endpoint::Chat).len(), 3);

    let reply = ask(&setup).await;

    assert_extractive(&reply);
    let reason = reply["degraded_reason"].as_str().unwrap();
    assert!(reason.contains("not answering"), "{reason}");
    assert_eq!(
        setup.double.requests_to(Endpoint::Chat).len(),
        3,
        "an open breaker does not call the model"
    );
    let open = metric(&setup.engine, "coachai_ollama_breaker_open").await;
    assert!(open >= Some(1.0), "breaker gauge while open: {open:?}");
    let (status, checks) = health(&setup.engine, &setup.client).await;
    assert_eq!(status, "degraded", "{checks}");
    assert_eq!(checks["ollama_breaker"], "down", "{checks}");
    assert_eq!(checks["ollama"], "up", "{checks}");

    setup.double.set_fault(Fault::None);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let reply = ask(&setup).await;

    assert_eq!(reply["degraded"], false, "{reply}");
    assert_eq!(reply["model"], CHAT_MODEL);
    assert_eq!(setup.double.requests_to(Endpoint::Chat).len(), 4);
    assert!(!reply["answer"].as_str().unwrap().contains("cannot write"));
    let (status, checks) = health(&setup.engine, &setup.client).await;
    assert_eq!(status, "healthy", "{checks}");
}

/// A double on `addr` again (the stopped one may take a moment to let go of the port).
async fn restart_on(addr: std::net::SocketAddr) -> OllamaDouble {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match OllamaDouble::start(Config {
            bind: addr,
            ..Config::default()
        })
        .await
        {
            Ok(double) => return double,
            Err(e) if Instant::now() < deadline => {
                eprintln!("the double cannot listen on {addr} yet: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the double cannot listen on {addr} again: {e}"),
        }
    }
}

#[tokio::test]
async fn with_ollama_stopped_answers_are_extractive_and_health_says_so_until_it_returns() {
    let mut setup = failing(Fault::None).await;
    let addr = setup.double.addr();
    assert_eq!(ask(&setup).await["degraded"], false);

    let spare = OllamaDouble::start(Config::default()).await.unwrap();
    drop(std::mem::replace(&mut setup.double, spare));

    assert_extractive(&ask(&setup).await);
    let (status, checks) = health(&setup.engine, &setup.client).await;
    assert_eq!(
        (status.as_str(), &checks["ollama"]),
        ("degraded", &json!("down"))
    );

    setup.double = restart_on(addr).await;

    let reply = ask(&setup).await;
    assert_eq!(reply["degraded"], false, "{reply}");
    assert_eq!(reply["model"], CHAT_MODEL);
    let (status, checks) = health(&setup.engine, &setup.client).await;
    assert_eq!(status, "healthy", "{checks}");
}
