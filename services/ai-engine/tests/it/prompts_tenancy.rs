//! Another creator's prompt templates do not exist for the caller: every route answers as if
//! they were absent, and the rows stay out of reach of the tenant transaction.

use axum::http::Method;
use coachai_ai_engine::prompts::Source;
use coachai_common::auth::Role;
use serde_json::{Value, json};

use crate::prompts_harness::Engine;

#[tokio::test]
async fn creator_a_never_sees_reads_or_activates_creator_bs_templates() {
    let engine = Engine::new().await;
    let (a, b) = (engine.creator().await, engine.creator().await);
    let owner_b = engine.user(b, Role::Owner).await.token;
    engine
        .create(&owner_b, "welcome", "B's welcome")
        .await
        .ok(201);
    engine.create(&owner_b, "chat", "B's chat v1").await.ok(201);
    engine
        .add_version(&owner_b, "chat", "B's chat v2", true)
        .await
        .ok(201);

    let owner_a = engine.user(a, Role::Owner).await.token;
    let routes: [(Method, &str, Option<Value>); 5] = [
        (
            Method::POST,
            "/prompts/welcome/versions",
            Some(json!({"body": "A"})),
        ),
        (Method::POST, "/prompts/welcome/versions/1/activate", None),
        (Method::POST, "/prompts/chat/versions/2/activate", None),
        (
            Method::POST,
            "/prompts/welcome/preview",
            Some(json!({"message": "q"})),
        ),
        (
            Method::POST,
            "/prompts/chat/preview",
            Some(json!({"version": 2, "message": "q"})),
        ),
    ];
    for (method, path, body) in routes {
        let reply = engine
            .call(method.clone(), path, &owner_a, body.as_ref())
            .await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert!(!reply.body.to_string().contains("B's"), "{}", reply.body);
    }
    let list = engine.list(&owner_a).await.ok(200);
    assert!(!list.to_string().contains("B's"), "{list}");
    assert_eq!(
        list["templates"].as_array().unwrap().len(),
        1,
        "only the default: {list}"
    );
    let prompt = engine.render(a, "q").await;
    assert_eq!(prompt.template.source, Source::Global);

    let mut tx = engine.tenant(a).await;
    for table in ["prompt_templates", "prompt_template_activations"] {
        let seen: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE creator_id = $1"
        ))
        .bind(b.0)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        assert_eq!(seen, 0, "{table}");
    }
    assert_eq!(engine.render(b, "q").await.system, "B's chat v2");
}
