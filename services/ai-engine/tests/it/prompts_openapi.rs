//! The prompt routes are in the service's OpenAPI document, with an example of every body a
//! client sends or receives on success.

use axum::http::Method;
use serde_json::Value;

use crate::prompts_harness::Engine;

/// The example a schema carries, following `$ref` and array `items` to the component.
fn example<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    if let Some(found) = schema.get("example") {
        return Some(found);
    }
    if let Some(items) = schema.get("items") {
        return example(doc, items);
    }
    let name = schema.get("$ref")?.as_str()?.rsplit('/').next()?;
    doc["components"]["schemas"][name].get("example")
}

#[tokio::test]
async fn every_prompt_route_is_documented_with_examples_of_its_bodies() {
    let engine = Engine::new().await;
    let doc = engine
        .call(Method::GET, "/openapi.json", "", None)
        .await
        .body;
    let operations = [
        ("/api/v1/ai/prompts", "get", None, "200"),
        ("/api/v1/ai/prompts", "post", Some(()), "201"),
        (
            "/api/v1/ai/prompts/{name}/versions",
            "post",
            Some(()),
            "201",
        ),
        (
            "/api/v1/ai/prompts/{name}/versions/{version}/activate",
            "post",
            None,
            "200",
        ),
        ("/api/v1/ai/prompts/{name}/preview", "post", Some(()), "200"),
    ];
    for (path, method, request, success) in operations {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let reply = &op["responses"][success]["content"]["application/json"]["schema"];
        assert!(
            example(&doc, reply).is_some(),
            "{method} {path}: no example of the answer"
        );
        if request.is_some() {
            let sent = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                example(&doc, sent).is_some(),
                "{method} {path}: no example of the request"
            );
        }
    }
}
