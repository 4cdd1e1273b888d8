//! Chat and generate: grounded content, token pacing, context truncation and cancellation.

use std::time::{Duration, Instant};

use coachai_ollama_double::Endpoint;
use futures::StreamExt;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::generation::completion::request::GenerationRequest;
use ollama_rs::models::ModelOptions;

use super::{client, double};

const SYSTEM: &str = "Answer only from these passages.\n\
    <passage id=\"1\">Keep a neutral spine during the swing. Hinge at the hips.</passage>\n\
    <passage id=\"2\">Breathe out sharply at the top of each swing.</passage>";

fn grounded_chat() -> ChatMessageRequest {
    let messages = vec![
        ChatMessage::system(SYSTEM.to_owned()),
        ChatMessage::user("How do I swing a kettlebell?".to_owned()),
    ];
    ChatMessageRequest::new("smollm2:135m".to_owned(), messages)
}

#[tokio::test]
async fn a_streamed_chat_arrives_token_by_token_and_quotes_the_passages() {
    let double = double().await;
    double.set_token_rate(Some(50.0));
    let started = Instant::now();
    let mut stream = client(&double)
        .send_chat_messages_stream(grounded_chat())
        .await
        .expect("stream starts");
    let mut arrivals = Vec::new();
    let mut text = String::new();
    let mut last = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("a chunk");
        arrivals.push(started.elapsed());
        text.push_str(&chunk.message.content);
        last = Some(chunk);
    }
    let last = last.expect("at least one chunk");
    let totals = last.final_data.expect("the final chunk carries the counts");
    assert!(last.done);
    assert_eq!(
        text,
        "From the sources: Keep a neutral spine during the swing. \
         Breathe out sharply at the top of each swing."
    );
    assert_eq!(
        totals.eval_count,
        u64::try_from(arrivals.len() - 1).expect("count")
    );
    assert!(totals.prompt_eval_count > 10);
    let first = arrivals[0];
    let end = arrivals[arrivals.len() - 1];
    assert!(
        end - first >= Duration::from_millis(250),
        "first {first:?}, last {end:?}"
    );
}

#[tokio::test]
async fn generate_without_streaming_answers_in_one_object_with_counts() {
    let double = double().await;
    let request = GenerationRequest::new("smollm2:135m".to_owned(), "what is a deadlift")
        .system("You are a coach.");
    let response = client(&double).generate(request).await.expect("generate");
    assert!(response.done);
    assert_eq!(
        response.response,
        "No sources were given. You asked: what is a deadlift"
    );
    assert_eq!(response.eval_count, Some(10));
    assert_eq!(response.prompt_eval_count, Some(10));
    let generation = &double.generations()[0];
    assert_eq!(generation.endpoint, Endpoint::Generate);
    assert_eq!(generation.prompt, "You are a coach.\nwhat is a deadlift");
}

#[tokio::test]
async fn a_prompt_longer_than_num_ctx_is_truncated_from_the_start_and_recorded() {
    let double = double().await;
    let request = grounded_chat().options(ModelOptions::default().num_ctx(20));
    let response = client(&double)
        .send_chat_messages(request)
        .await
        .expect("chat");
    let generation = &double.generations()[0];
    assert_eq!(generation.num_ctx, Some(20));
    assert!(generation.truncated);
    assert!(generation.prompt_tokens <= 20);
    assert!(generation.prompt.ends_with("How do I swing a kettlebell?"));
    assert!(
        !response.message.content.contains("neutral spine"),
        "the first passage was cut"
    );
    let sent = &double.requests_to(Endpoint::Chat)[0].body;
    assert_eq!(sent["options"]["num_ctx"], 20);
}

#[tokio::test]
async fn dropping_the_stream_midway_is_seen_by_the_double_as_a_cancellation() {
    let double = double().await;
    double.set_token_rate(Some(20.0));
    let mut stream = client(&double)
        .send_chat_messages_stream(grounded_chat())
        .await
        .expect("stream starts");
    stream
        .next()
        .await
        .expect("a first chunk")
        .expect("chunk ok");
    assert_eq!(double.active_streams(), 1);
    drop(stream);
    assert!(double.wait_for_cancelled(1, Duration::from_secs(2)).await);
    assert_eq!(double.active_streams(), 0);
    assert_eq!(double.completed_streams(), 0);
}
