//! Bad input to the prompt routes is refused with a problem that says what to fix, and never
//! saves anything.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::json;

use crate::prompts_harness::Engine;

async fn owner_of_new_creator(engine: &Engine) -> String {
    let creator = engine.creator().await;
    engine.user(creator, Role::Owner).await.token
}

#[tokio::test]
async fn names_outside_the_pattern_are_refused_naming_the_field() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    for bad in ["Chat", "1chat", "chat v2", "", &"a".repeat(41)] {
        let problem = engine.create(&owner, bad, "ok").await.problem(422).body;
        assert_eq!(problem["errors"][0]["field"], "name", "{bad}: {problem}");
    }
    let list = engine.list(&owner).await.ok(200);
    assert_eq!(
        list["templates"].as_array().unwrap().len(),
        1,
        "only the default: {list}"
    );
}

#[tokio::test]
async fn a_template_that_does_not_parse_is_refused_naming_the_line() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    let body = "You are {{ persona.coach_name }}.\n\n{% for p in passages %}{{ p.text }";
    let problem = engine.create(&owner, "chat", body).await.problem(422).body;
    assert_eq!(problem["type"], "https://coachai.dev/problems/validation");
    assert_eq!(problem["errors"][0]["field"], "body");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("line 3: syntax error"), "{message}");
    engine.create(&owner, "chat", "fine").await.ok(201);
    let again = engine
        .add_version(&owner, "chat", "{% if %}", true)
        .await
        .problem(422);
    assert!(
        again.body["detail"].as_str().unwrap().contains("line 1"),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn a_body_over_20000_characters_is_refused_and_one_at_the_limit_is_kept() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    let problem = engine
        .create(&owner, "chat", &"é".repeat(20_001))
        .await
        .problem(422)
        .body;
    assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    engine
        .create(&owner, "chat", &"é".repeat(20_000))
        .await
        .ok(201);
    let huge = "x".repeat(2 * 1024 * 1024);
    let too_big = engine.add_version(&owner, "chat", &huge, false).await;
    too_big.problem(413);
}

#[tokio::test]
async fn unknown_templates_and_versions_are_404_and_bad_version_numbers_400() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    engine
        .add_version(&owner, "chat", "x", false)
        .await
        .problem(404);
    engine.activate(&owner, "chat", "1").await.problem(404);
    engine.create(&owner, "chat", "x").await.ok(201);
    engine.activate(&owner, "chat", "7").await.problem(404);
    engine.activate(&owner, "chat", "abc").await.problem(400);
    engine.activate(&owner, "chat", "0").await.problem(400);
    engine.activate(&owner, "Bad!", "1").await.problem(404);
    let preview = json!({"version": 9, "message": "q"});
    engine.preview(&owner, "chat", preview).await.problem(404);
    engine
        .preview(&owner, "welcome", json!({"message": "q"}))
        .await
        .problem(404);
}

#[tokio::test]
async fn creating_an_existing_template_twice_is_a_conflict() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    engine.create(&owner, "chat", "x").await.ok(201);
    let problem = engine.create(&owner, "chat", "y").await.problem(409).body;
    assert!(
        problem["detail"].as_str().unwrap().contains("/versions"),
        "{problem}"
    );
}

#[tokio::test]
async fn bodies_that_are_not_json_are_400_or_415_like_the_rest_of_the_platform() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    let not_json = Some(("application/json", "{\"name\": ".to_owned()));
    engine
        .raw(Method::POST, "/prompts", &owner, not_json)
        .await
        .problem(400);
    let text = Some(("text/plain", "name=chat".to_owned()));
    engine
        .raw(Method::POST, "/prompts", &owner, text)
        .await
        .problem(415);
    let extra = json!({"name": "chat", "body": "x", "active": false});
    engine
        .call(Method::POST, "/prompts", &owner, Some(&extra))
        .await
        .problem(422);
}

#[tokio::test]
async fn a_preview_takes_a_draft_or_a_version_not_both_and_needs_a_message() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    let both = json!({"body": "x", "version": 1, "message": "q"});
    engine.preview(&owner, "chat", both).await.problem(422);
    engine
        .preview(&owner, "chat", json!({"message": ""}))
        .await
        .problem(422);
    let failing = json!({"body": "{{ persona.nickname.first }}", "message": "q"});
    let problem = engine
        .preview(&owner, "chat", failing)
        .await
        .problem(422)
        .body;
    assert!(
        problem["detail"].as_str().unwrap().contains("line 1"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_preview_whose_sample_passages_overflow_the_prompt_is_422_not_500() {
    let engine = Engine::new().await;
    let owner = owner_of_new_creator(&engine).await;
    let passage = json!({"title": "Long", "location": "page 1", "text": "x".repeat(20_000)});
    let request = json!({"message": "q", "passages": vec![passage; 20]});
    let problem = engine
        .preview(&owner, "chat", request)
        .await
        .problem(422)
        .body;
    assert!(
        problem["detail"].as_str().unwrap().contains("larger than"),
        "{problem}"
    );
}
