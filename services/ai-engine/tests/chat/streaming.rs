//! Streaming: tokens arrive while the model is still answering, the last event carries the
//! sources, and a client that goes away cancels the model's request.

use std::time::{Duration, Instant};

use axum::http::Method;
use http_body_util::BodyExt;
use serde_json::{Value, json};

use crate::Setup;

/// Reads SSE frames from `body` until `stop` says so; returns each event's name, data and the
/// time it arrived.
pub async fn events(
    body: &mut axum::body::Body,
    mut stop: impl FnMut(&str) -> bool,
) -> Vec<(String, Value, Instant)> {
    let mut out = Vec::new();
    let mut buffer = String::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else {
            continue;
        };
        buffer.push_str(std::str::from_utf8(&data).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let name = field(&block, "event");
            let data = serde_json::from_str(&field(&block, "data")).unwrap_or(Value::Null);
            let done = stop(&name);
            out.push((name, data, Instant::now()));
            if done {
                return out;
            }
        }
    }
    out
}

fn field(block: &str, name: &str) -> String {
    block
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(str::trim_start)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn tokens_arrive_before_the_model_has_finished_and_done_carries_the_sources() {
    let setup = Setup::new().await;
    setup.double.set_token_rate(Some(20.0));
    let body =
        json!({"message": "How should I breathe during a kettlebell swing?", "stream": true});
    let response = setup
        .engine
        .respond(Method::POST, "/chat", &setup.client.token, Some(&body))
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = response.into_body();

    let seen = events(&mut body, |name| name == "done" || name == "error").await;

    let (last, done, done_at) = seen.last().unwrap();
    assert_eq!(last, "done", "{seen:?}");
    let tokens: Vec<_> = seen.iter().filter(|e| e.0 == "token").collect();
    assert!(tokens.len() > 5, "{seen:?}");
    let first_at = tokens[0].2;
    assert!(
        done_at.duration_since(first_at) > Duration::from_millis(200),
        "the first token came {:?} before the end",
        done_at.duration_since(first_at)
    );
    let text: String = tokens
        .iter()
        .map(|t| t.1["text"].as_str().unwrap())
        .collect();
    assert!(text.contains("Exhale at the top"), "{text}");
    assert_eq!(done["sources"][0]["title"], "Kettlebell basics");
    assert!(done["message_id"].is_string());
    assert_eq!(
        seen[0].0, "start",
        "the stream opens with the conversation: {seen:?}"
    );
    assert_eq!(seen[0].1["conversation_id"], done["conversation_id"]);
}

#[tokio::test]
async fn an_accept_header_asks_for_a_stream_too() {
    let setup = Setup::new().await;
    let request = axum::http::Request::post("/api/v1/ai/chat")
        .header("authorization", format!("Bearer {}", setup.client.token))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(axum::body::Body::from(
            json!({"message": "Warm-up tips?"}).to_string(),
        ))
        .unwrap();
    let response = tower::ServiceExt::oneshot(setup.engine.router.clone(), request)
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
}

#[tokio::test]
async fn a_client_that_goes_away_mid_answer_cancels_the_models_request() {
    let setup = Setup::new().await;
    setup.double.set_token_rate(Some(5.0));
    let body =
        json!({"message": "How should I breathe during a kettlebell swing?", "stream": true});
    let response = setup
        .engine
        .respond(Method::POST, "/chat", &setup.client.token, Some(&body))
        .await;
    let mut body = response.into_body();
    let seen = events(&mut body, |name| name == "token").await;
    assert_eq!(seen.last().unwrap().0, "token");

    drop(body);

    assert!(
        setup
            .double
            .wait_for_cancelled(1, Duration::from_secs(5))
            .await,
        "the double saw the chat stream cancelled"
    );
    assert_eq!(setup.double.active_streams(), 0);
}
