//! Prompt templates as a coach and the chat path see them: versions, activation, fallback when
//! a version fails to render, rollback, the global default, previews, roles and API keys.

use axum::http::Method;
use coachai_ai_engine::prompts::{BUILTIN_CHAT, Source};
use coachai_common::auth::Role;
use serde_json::json;

use crate::prompts_harness::Engine;

const V1: &str = "V1 for {{ creator.display_name }}: {{ question }}";
const V2: &str = "V2 by {{ persona.coach_name }} with {{ passages | length }} passage(s)";

#[tokio::test]
async fn a_new_override_is_version_1_active_and_chats_render_it() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    let saved = engine.create(&owner, "chat", V1).await.ok(201);
    assert_eq!(
        (saved["version"].as_i64(), saved["active"].as_bool()),
        (Some(1), Some(true))
    );
    let prompt = engine.render(creator, "Hips?").await;
    assert_eq!(prompt.system, "V1 for Ana Strength: Hips?");
    assert_eq!(prompt.user, "Hips?");
    assert_eq!(
        (prompt.template.source, prompt.template.version),
        (Source::Creator, Some(1))
    );
    let list = engine.list(&owner).await.ok(200);
    let chat = &list["templates"][0];
    assert_eq!(chat["name"], "chat");
    assert_eq!(
        chat["active"],
        json!({"source": "creator", "version": 1, "body": V1})
    );
    assert_eq!(chat["versions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_saved_version_waits_until_activated_and_activation_shows_on_the_next_render() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let admin = engine.user(creator, Role::Admin).await.token;
    engine.create(&admin, "chat", V1).await.ok(201);
    assert_eq!(engine.render(creator, "q").await.template.version, Some(1));
    let v2 = engine.add_version(&admin, "chat", V2, false).await.ok(201);
    assert_eq!(
        (v2["version"].as_i64(), v2["active"].as_bool()),
        (Some(2), Some(false))
    );
    assert_eq!(engine.render(creator, "q").await.template.version, Some(1));
    let active = engine.activate(&admin, "chat", "2").await.ok(200);
    assert_eq!(active["active"], true);
    let prompt = engine.render(creator, "q").await;
    assert_eq!(prompt.system, "V2 by Ana with 1 passage(s)");
    assert_eq!(prompt.template.fell_back_from, None);
}

#[tokio::test]
async fn a_version_calling_an_undefined_function_falls_back_to_version_1_and_records_it() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", V1).await.ok(201);
    let broken = "Hello\n{{ fetch_secrets() }}";
    engine
        .add_version(&owner, "chat", broken, true)
        .await
        .ok(201);
    let prompt = engine.render(creator, "q").await;
    assert_eq!(prompt.system, "V1 for Ana Strength: q");
    assert_eq!(
        (prompt.template.source, prompt.template.version),
        (Source::Creator, Some(1))
    );
    let fell = prompt
        .template
        .fell_back_from
        .expect("the fallback is recorded");
    assert_eq!((fell.source, fell.version), (Source::Creator, Some(2)));
    assert!(
        fell.error.starts_with("line 2: render error"),
        "{}",
        fell.error
    );
}

#[tokio::test]
async fn a_version_that_loops_past_its_fuel_falls_back_to_version_1() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", V1).await.ok(201);
    let endless = "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}";
    engine
        .add_version(&owner, "chat", endless, true)
        .await
        .ok(201);
    let prompt = engine.render(creator, "q").await;
    assert_eq!(prompt.template.version, Some(1));
    let fell = prompt.template.fell_back_from.unwrap();
    assert!(fell.error.contains("ran out of fuel"), "{}", fell.error);
}

#[tokio::test]
async fn activating_version_1_again_rolls_back() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", V1).await.ok(201);
    engine.add_version(&owner, "chat", V2, true).await.ok(201);
    assert_eq!(engine.render(creator, "q").await.template.version, Some(2));
    engine.activate(&owner, "chat", "1").await.ok(200);
    assert_eq!(
        engine.render(creator, "q").await.system,
        "V1 for Ana Strength: q"
    );
    let list = engine.list(&owner).await.ok(200);
    let versions = &list["templates"][0]["versions"];
    assert_eq!(
        (
            versions[0]["active"].as_bool(),
            versions[1]["active"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let mut tx = engine.tenant(creator).await;
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE target_type = 'prompt_template' ORDER BY created_at",
    )
    .fetch_all(tx.conn())
    .await
    .unwrap();
    assert_eq!(
        audited,
        ["prompts.create", "prompts.version", "prompts.activate"]
    );
}

#[tokio::test]
async fn without_an_override_the_global_default_answers_and_it_is_the_builtin() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let prompt = engine.render(creator, "How do I warm up?").await;
    assert_eq!(
        (prompt.template.source, prompt.template.version),
        (Source::Global, Some(1))
    );
    assert!(
        prompt
            .system
            .starts_with("You are Ana, the AI coach of Ana Strength.")
    );
    assert!(prompt.system.contains(
        "<passage label=\"[1]\" source=\"Hips, page 3\">\nTen slow circles.\n</passage>"
    ));
    let coach = engine.user(creator, Role::Coach).await.token;
    let list = engine.list(&coach).await.ok(200);
    let chat = &list["templates"][0];
    assert_eq!(
        (
            chat["active"]["source"].as_str(),
            chat["active"]["version"].as_i64()
        ),
        (Some("global"), Some(1))
    );
    assert_eq!(chat["active"]["body"], BUILTIN_CHAT);
    assert_eq!(chat["versions"], json!([]));
}

#[tokio::test]
async fn a_preview_renders_an_unsaved_draft_with_the_persona_and_saves_nothing() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let coach = engine.user(creator, Role::Coach).await.token;
    let draft = "{{ persona.coach_name }} ({{ persona.tone }}): {% for p in passages %}{{ p.label }} {{ p.title }} @ {{ p.location }}{% endfor %}";
    let request = json!({"body": draft, "message": " Hips? ",
        "passages": [{"title": "Mobility", "location": "Warm-up › Hips", "text": "Circles."}]});
    let shown = engine.preview(&coach, "chat", request).await.ok(200);
    assert_eq!(
        shown["system"],
        "Ana (warm, direct): [1] Mobility @ Warm-up › Hips"
    );
    assert_eq!(shown["user"], "Hips?");
    assert_eq!(
        shown["template"],
        json!({"name": "chat", "version": null, "source": "draft", "fell_back_from": null})
    );
    let list = engine.list(&coach).await.ok(200);
    assert_eq!(list["templates"][0]["versions"], json!([]));
}

#[tokio::test]
async fn a_preview_shows_a_saved_version_or_what_chats_use_now_with_its_fallback() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", V1).await.ok(201);
    engine
        .add_version(&owner, "chat", "{{ nope.nope }}", true)
        .await
        .ok(201);
    let v1 = engine
        .preview(&owner, "chat", json!({"version": 1, "message": "q"}))
        .await
        .ok(200);
    assert_eq!(v1["system"], "V1 for Ana Strength: q");
    let now = engine
        .preview(&owner, "chat", json!({"message": "q"}))
        .await
        .ok(200);
    assert_eq!(now["template"]["version"], 1);
    assert_eq!(now["template"]["fell_back_from"]["version"], 2);
    let broken = engine
        .preview(&owner, "chat", json!({"version": 2, "message": "q"}))
        .await;
    let problem = broken.problem(422).body;
    assert!(
        problem["detail"].as_str().unwrap().contains("line 1"),
        "{problem}"
    );
}

#[tokio::test]
async fn coaches_read_and_preview_but_only_owners_and_admins_write_and_clients_do_neither() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", V1).await.ok(201);
    let coach = engine.user(creator, Role::Coach).await.token;
    engine.create(&coach, "welcome", V1).await.problem(403);
    engine
        .add_version(&coach, "chat", V2, true)
        .await
        .problem(403);
    engine.activate(&coach, "chat", "1").await.problem(403);
    let client = engine.user(creator, Role::Client).await.token;
    engine.list(&client).await.problem(403);
    engine
        .preview(&client, "chat", json!({"message": "q"}))
        .await
        .problem(403);
    engine.create(&client, "welcome", V1).await.problem(403);
    engine
        .call(Method::GET, "/prompts", "", None)
        .await
        .problem(401);
}

#[tokio::test]
async fn api_keys_read_with_content_read_and_write_with_admin() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let chat_key = engine.api_key(creator, &["chat"]).await;
    engine.list(&chat_key).await.problem(403);
    let reader = engine.api_key(creator, &["content:read"]).await;
    engine.list(&reader).await.ok(200);
    engine
        .preview(&reader, "chat", json!({"message": "q"}))
        .await
        .ok(200);
    engine.create(&reader, "chat", V1).await.problem(403);
    let writer = engine.api_key(creator, &["content:write"]).await;
    engine.create(&writer, "chat", V1).await.problem(403);
    let admin = engine.api_key(creator, &["admin"]).await;
    engine.create(&admin, "chat", V1).await.ok(201);
    engine.activate(&admin, "chat", "1").await.ok(200);
}
