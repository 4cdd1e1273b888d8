//! Each injected fault produces the client error a real outage would.

use std::time::{Duration, Instant};

use coachai_ollama_double::{Endpoint, Fault, FaultRule};
use futures::StreamExt;
use ollama_rs::error::OllamaError;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::chat::request::ChatMessageRequest;

use super::{client, client_with_timeout, double};

fn chat() -> ChatMessageRequest {
    let messages = vec![ChatMessage::user("one two three four five six".to_owned())];
    ChatMessageRequest::new("smollm2:135m".to_owned(), messages)
}

#[tokio::test]
async fn a_500_fault_is_an_error_with_ollamas_error_body() {
    let double = double().await;
    double.set_fault(Fault::Status500);
    let error = client(&double)
        .send_chat_messages(chat())
        .await
        .unwrap_err();
    let OllamaError::Other(body) = error else {
        panic!("expected the error body, got {error:?}");
    };
    assert!(body.starts_with(r#"{"error":"#), "{body}");
}

#[tokio::test]
async fn a_reset_fault_is_a_transport_error_without_a_response() {
    let double = double().await;
    double.set_fault(Fault::ResetConnection);
    let error = client(&double).list_local_models().await.unwrap_err();
    assert!(matches!(error, OllamaError::ReqwestError(_)), "{error:?}");
}

#[tokio::test]
async fn a_hang_fault_ends_in_the_clients_timeout() {
    let double = double().await;
    double.set_fault(Fault::Hang);
    let ollama = client_with_timeout(&double, Duration::from_millis(300));
    let error = ollama.send_chat_messages(chat()).await.unwrap_err();
    let OllamaError::ReqwestError(error) = error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn a_slow_fault_delays_the_first_byte() {
    let double = double().await;
    double.set_fault(Fault::Slow(Duration::from_millis(300)));
    let started = Instant::now();
    client(&double)
        .list_local_models()
        .await
        .expect("still answered");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_counted_endpoint_fault_fails_only_that_endpoint_that_many_times() {
    let double = double().await;
    double.inject(FaultRule::new(Fault::Status500).on(Endpoint::Chat).times(1));
    let ollama = client(&double);
    ollama
        .list_local_models()
        .await
        .expect("other endpoints answer");
    assert!(ollama.send_chat_messages(chat()).await.is_err());
    ollama
        .send_chat_messages(chat())
        .await
        .expect("the retry succeeds");
}

#[tokio::test]
async fn a_mid_stream_reset_breaks_the_stream_after_some_tokens() {
    let double = double().await;
    double.set_fault(Fault::ResetAfterLines(2));
    let mut stream = client(&double)
        .send_chat_messages_stream(chat())
        .await
        .expect("the stream starts");
    let mut results = Vec::new();
    while let Some(item) = stream.next().await {
        results.push(item.is_ok());
    }
    assert_eq!(results, [true, true, false]);
    assert_eq!(double.aborted_streams(), 1);
}

#[tokio::test]
async fn a_reset_fault_resets_the_tcp_connection_instead_of_answering() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let double = double().await;
    double.set_fault(Fault::ResetConnection);
    let mut socket = tokio::net::TcpStream::connect(double.addr())
        .await
        .expect("connect");
    let request = "GET /api/version HTTP/1.1\r\nhost: double\r\n\r\n";
    socket
        .write_all(request.as_bytes())
        .await
        .expect("send the request");
    let mut answer = Vec::new();
    let read = socket.read_to_end(&mut answer).await;
    let error = read.expect_err("a reset, not an answer or a clean close");
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
    assert!(answer.is_empty());
}
