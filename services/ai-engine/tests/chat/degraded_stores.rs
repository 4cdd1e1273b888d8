//! Stopping a real ChromaDB or Redis server under a running engine: chats are still answered
//! (from PostgreSQL full-text search without ChromaDB; without cache or rate limits without
//! Redis), `/health` says `degraded` with the server down and `/metrics` counts the fallback,
//! and all comes back by itself when the server returns on the same port.

use std::time::{Duration, Instant};

use coachai_common::tenancy::CreatorId;
use coachai_ollama_double::{Config, OllamaDouble};
use serde_json::{Value, json};

use crate::harness::{Engine, Reply, stack_config, test_settings};
use crate::processes::{OwnChroma, OwnRedis};
use crate::{CHAT_MODEL, Setup, health, metric};

const QUESTION: &str = "How should I breathe during a kettlebell swing?";

/// Creator A's library on an engine whose configuration `adjust` changed.
async fn setup_with(adjust: impl FnOnce(&mut coachai_ai_engine::Config)) -> Setup {
    let double = OllamaDouble::start(Config::default()).await.unwrap();
    let mut config = stack_config(&double.url());
    adjust(&mut config);
    let engine = Engine::with_config(config, test_settings()).await;
    Setup::on(double, engine).await
}

async fn ask(setup: &Setup) -> Reply {
    setup.ask(&setup.client, json!({"message": QUESTION})).await
}

/// The model's answer, grounded in the kettlebell passage.
fn assert_answered(reply: &Value) {
    assert_eq!(reply["model"], CHAT_MODEL, "{reply}");
    let answer = reply["answer"].as_str().unwrap();
    assert!(answer.contains("Exhale at the top"), "{answer}");
    let sources = reply["sources"].as_array().unwrap();
    assert!(
        sources
            .iter()
            .any(|s| s["title"] == "Kettlebell basics" && s["location"] == json!({"page": 2})),
        "{reply}"
    );
}

async fn assert_health(setup: &Setup, status: &str, check: &str, state: &str) {
    let (overall, checks) = health(&setup.engine, &setup.client).await;
    assert_eq!(overall, status, "{checks}");
    assert_eq!(checks[check], state, "{checks}");
}

#[tokio::test]
async fn with_chromadb_stopped_answers_come_from_full_text_search_until_it_returns() {
    let mut chroma = OwnChroma::start().await;
    let url = chroma.url.clone();
    let setup = setup_with(|config| config.common.chroma_url = url).await;
    let reply = ask(&setup).await.ok(200);
    assert_answered(&reply);
    assert_eq!(reply["degraded"], false, "{reply}");
    assert_health(&setup, "healthy", "chromadb", "up").await;

    let full_text = "coachai_chat_retrieval_total{mode=\"full_text\"}";
    let before = metric(&setup.engine, full_text).await.unwrap_or(0.0);

    chroma.stop();

    let reply = ask(&setup).await.ok(200);
    assert_answered(&reply);
    assert_eq!(reply["degraded"], true, "{reply}");
    let reason = reply["degraded_reason"].as_str().unwrap();
    assert!(reason.contains("vector search"), "{reason}");
    assert_health(&setup, "degraded", "chromadb", "down").await;
    let after = metric(&setup.engine, full_text).await;
    assert!(
        after >= Some(before + 1.0),
        "{full_text}: {before} then {after:?}"
    );

    chroma.resume().await;

    let reply = ask(&setup).await.ok(200);
    assert_answered(&reply);
    assert_eq!(reply["degraded"], false, "vector search again: {reply}");
    assert_health(&setup, "healthy", "chromadb", "up").await;
}

/// Allows the creator one chat a minute.
async fn one_chat_a_minute(engine: &Engine, creator: CreatorId) {
    let mut tx = engine.tenant(creator).await;
    sqlx::query("UPDATE creators SET quotas = '{\"requests_per_minute\": 1}' WHERE id = $1")
        .bind(creator.0)
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Asks until a chat is refused with 429; false when none is within `timeout`.
async fn limited_within(setup: &Setup, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let reply = ask(setup).await;
        if reply.status == 429 {
            return true;
        }
        assert_answered(&reply.ok(200));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn with_redis_stopped_chats_are_answered_without_limits_until_it_returns() {
    let mut redis = OwnRedis::start().await;
    let url = redis.url.clone();
    let setup = setup_with(|config| config.common.redis_url = url).await;
    one_chat_a_minute(&setup.engine, setup.creator).await;
    assert_answered(&ask(&setup).await.ok(200));
    ask(&setup).await.problem(429);
    assert_health(&setup, "healthy", "redis", "up").await;
    let errors = "rate_limiter_errors_total";
    let before = metric(&setup.engine, errors).await.unwrap_or(0.0);

    redis.stop();

    for _ in 0..2 {
        let reply = ask(&setup).await.ok(200);
        assert_answered(&reply);
        assert_eq!(reply["degraded"], false, "{reply}");
    }
    assert_health(&setup, "degraded", "redis", "down").await;
    let after = metric(&setup.engine, errors).await;
    assert!(
        after >= Some(before + 2.0),
        "{errors}: {before} then {after:?}"
    );

    redis.resume().await;

    assert_health(&setup, "healthy", "redis", "up").await;
    assert!(
        limited_within(&setup, Duration::from_secs(10)).await,
        "the chat limit applies again once Redis is back"
    );
}
