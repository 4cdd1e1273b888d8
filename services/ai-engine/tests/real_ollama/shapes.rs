//! ollama-rs against the real server: embeddings, a streamed chat, `num_ctx`, the model list.

use std::time::Duration;

use coachai_ai_engine::ollama::OllamaClient;
use futures::StreamExt;
use ollama_rs::generation::chat::ChatMessage;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::models::ModelOptions;

use crate::{CHAT_MODEL, EMBEDDING_MODEL, ollama_url};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

async fn client() -> OllamaClient {
    OllamaClient::new(&ollama_url().await, Duration::from_secs(120)).unwrap()
}

#[tokio::test]
async fn minilm_puts_a_related_sentence_much_closer_than_an_unrelated_one() {
    let texts = [
        "How do I breathe during a kettlebell swing?",
        "Exhale at the top of every swing",
        "Adults need seven to nine hours of sleep every night",
    ];
    let vectors = client()
        .await
        .embed(
            EMBEDDING_MODEL,
            texts.iter().map(|t| (*t).to_owned()).collect(),
        )
        .await
        .unwrap();
    assert_eq!(vectors[0].len(), 384);
    let (related, unrelated) = (
        cosine(&vectors[0], &vectors[1]),
        cosine(&vectors[0], &vectors[2]),
    );
    assert!(
        related > unrelated + 0.3,
        "related {related}, unrelated {unrelated}"
    );
}

#[tokio::test]
async fn smollm2_streams_an_answer_in_pieces_with_its_token_counts() {
    let request = ChatMessageRequest::new(
        CHAT_MODEL.into(),
        vec![ChatMessage::user("Name three warm-up exercises.".into())],
    )
    .options(ModelOptions::default().num_ctx(2048).num_predict(24));
    let mut stream = client()
        .await
        .raw()
        .send_chat_messages_stream(request)
        .await
        .unwrap();
    let mut pieces = 0;
    let mut last = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        if !chunk.message.content.is_empty() {
            pieces += 1;
        }
        last = chunk.final_data.or(last);
    }
    assert!(pieces > 2, "the answer came in {pieces} pieces");
    let last = last.expect("the last chunk has the counts");
    assert!(last.prompt_eval_count > 0 && last.eval_count > 0);
}

#[tokio::test]
async fn a_prompt_longer_than_num_ctx_is_cut_silently_which_is_why_the_engine_fits_its_prompts() {
    let long = "Squat with your knees over your toes and keep your back straight. ".repeat(200);
    let request = ChatMessageRequest::new(CHAT_MODEL.into(), vec![ChatMessage::user(long)])
        .options(ModelOptions::default().num_ctx(512).num_predict(4));
    let reply = client()
        .await
        .raw()
        .send_chat_messages(request)
        .await
        .unwrap();
    let counts = reply.final_data.expect("the reply has its counts");
    assert!(
        counts.prompt_eval_count <= 512,
        "{} prompt tokens",
        counts.prompt_eval_count
    );
}

#[tokio::test]
async fn the_server_lists_both_models_with_their_details() {
    let models = client().await.raw().list_local_models().await.unwrap();
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    assert!(
        names.contains(&CHAT_MODEL) && names.contains(&EMBEDDING_MODEL),
        "{names:?}"
    );
}
