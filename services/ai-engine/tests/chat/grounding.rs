//! Answers come from the asking creator's material only, with sources and their locations.

use coachai_common::auth::Role;
use serde_json::json;

use crate::{Setup, creator_content};

const QUESTION: &str = "How should I breathe during a kettlebell swing?";

#[tokio::test]
async fn an_answer_quotes_the_creators_passages_and_cites_them_with_their_locations() {
    let setup = Setup::new().await;
    let b = setup.engine.creator().await;
    creator_content(
        &setup.engine,
        b,
        "Coach B secrets",
        &[(
            "Coach B says: exhale sharply at the top of every kettlebell swing.",
            json!({"page": 9}),
        )],
    )
    .await;

    let reply = setup
        .ask(&setup.client, json!({"message": QUESTION}))
        .await
        .ok(200);

    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.contains("Exhale at the top of every kettlebell swing"),
        "{answer}"
    );
    assert!(!answer.contains("Coach B"), "{answer}");
    let sources = reply["sources"].as_array().unwrap();
    assert_eq!(sources[0]["title"], "Kettlebell basics");
    assert_eq!(sources[0]["location"], json!({"page": 2}));
    assert!(sources[0]["score"].as_f64().unwrap() > 0.0);
    assert!(
        sources.iter().all(|s| setup
            .content
            .contains(&s["content_id"].as_str().unwrap().parse().unwrap())),
        "only A's content: {sources:?}"
    );
    assert_eq!(reply["model"], crate::CHAT_MODEL);
    assert_eq!(reply["degraded"], false);
    assert!(reply["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    let prompts: Vec<String> = setup
        .double
        .generations()
        .into_iter()
        .map(|g| g.prompt)
        .collect();
    assert!(
        prompts.iter().all(|p| !p.contains("Coach B")),
        "no prompt holds B's text"
    );
}

#[tokio::test]
async fn another_creators_client_gets_only_that_creators_material() {
    let setup = Setup::new().await;
    let b = setup.engine.creator().await;
    let b_item = creator_content(
        &setup.engine,
        b,
        "Coach B secrets",
        &[(
            "Coach B says: exhale sharply at the top of every kettlebell swing.",
            json!({"page": 9}),
        )],
    )
    .await;
    let b_client = setup.engine.user(b, Role::Client).await;

    let reply = setup
        .ask(&b_client, json!({"message": QUESTION}))
        .await
        .ok(200);

    let sources = reply["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    assert!(
        sources
            .iter()
            .all(|s| s["content_id"] == b_item.to_string()),
        "{sources:?}"
    );
    let last = setup.double.generations().pop().unwrap();
    assert!(
        !last.prompt.contains("Exhale at the top of every"),
        "A's text never reaches B's prompt"
    );
}

#[tokio::test]
async fn the_conversation_keeps_both_messages_with_the_answers_sources_and_model() {
    let setup = Setup::new().await;
    let first = setup
        .ask(&setup.client, json!({"message": QUESTION}))
        .await
        .ok(200);
    let conversation = first["conversation_id"].as_str().unwrap();
    let second = setup
        .ask(
            &setup.client,
            json!({"message": "And before I start?", "conversation_id": conversation}),
        )
        .await
        .ok(200);
    assert_eq!(second["conversation_id"], conversation);

    let path = format!("/conversations/{conversation}");
    let stored = setup
        .engine
        .call(axum::http::Method::GET, &path, &setup.client.token, None)
        .await
        .ok(200);
    let messages = stored["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["model"], crate::CHAT_MODEL);
    assert!(!messages[1]["sources"].as_array().unwrap().is_empty());
    let last = setup
        .double
        .requests_to(coachai_ollama_double::Endpoint::Chat)
        .pop()
        .unwrap();
    let sent = last.body["messages"].as_array().unwrap();
    assert!(
        sent.iter().any(|m| m["role"] == "assistant"),
        "the earlier answer goes back to the model: {sent:?}"
    );
    assert!(last.body["options"]["num_ctx"].as_u64().unwrap() >= 512);
}

#[tokio::test]
async fn the_same_question_is_embedded_once_within_a_few_minutes() {
    let setup = Setup::new().await;
    let question = "What should I do before swinging a kettlebell?";
    for _ in 0..2 {
        setup
            .ask(&setup.client, json!({"message": question}))
            .await
            .ok(200);
    }
    let embedded = setup
        .double
        .requests_to(coachai_ollama_double::Endpoint::Embed)
        .into_iter()
        .filter(|r| r.body["input"].to_string().contains(question))
        .count();
    assert_eq!(embedded, 1, "the second ask used the cached embedding");
}

#[tokio::test]
async fn a_missing_model_with_a_fallback_configured_answers_with_the_fallback_and_says_so() {
    let double =
        coachai_ollama_double::OllamaDouble::start(coachai_ollama_double::Config::default())
            .await
            .unwrap();
    let settings = coachai_ai_engine::assembly::EngineSettings {
        chat_fallback_model: crate::CHAT_MODEL.into(),
        ..crate::harness::test_settings()
    };
    let engine = crate::harness::Engine::with_settings(&double.url(), settings).await;
    let setup = Setup::on(double, engine).await;
    crate::library::set_models(
        &setup.engine.db,
        setup.creator,
        "llama2:7b-chat",
        crate::EMBEDDING_MODEL,
    )
    .await;

    let reply = setup
        .ask(&setup.client, json!({"message": QUESTION}))
        .await
        .ok(200);

    assert_eq!(reply["model"], crate::CHAT_MODEL);
    assert_eq!(reply["model_fell_back"], true);
    assert_eq!(reply["degraded"], false);
}
