//! The OpenAPI document describes the model and conversation routes with an example of every
//! body a client sends or receives on success.

use axum::http::Method;
use serde_json::Value;

use super::engine_on_double;

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

/// Every `(operation, schema)` of the request bodies and 2xx responses under `prefixes`.
fn bodies<'a>(doc: &'a Value, prefixes: &[&str]) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    let paths = doc["paths"].as_object().unwrap();
    let ours = paths
        .iter()
        .filter(|(path, _)| prefixes.iter().any(|p| path.starts_with(p)));
    for (path, item) in ours {
        for (method, op) in item.as_object().unwrap() {
            let mut contents = vec![("request", &op["requestBody"]["content"])];
            for (status, reply) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') {
                    contents.push(("response", &reply["content"]));
                }
            }
            for (what, content) in contents {
                for (media, body) in content.as_object().into_iter().flatten() {
                    out.push((format!("{method} {path} {what} {media}"), &body["schema"]));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn the_model_and_conversation_routes_are_documented_with_examples() {
    let (_double, engine) = engine_on_double().await;
    let doc = engine
        .call(Method::GET, "/openapi.json", "", None)
        .await
        .ok(200);
    for path in [
        "/api/v1/ai/models",
        "/api/v1/ai/models/pull",
        "/api/v1/ai/conversations",
        "/api/v1/ai/conversations/{id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
    let described = bodies(&doc, &["/api/v1/ai/models", "/api/v1/ai/conversations"]);
    assert!(described.len() >= 5, "{described:?}");
    let missing: Vec<&String> = described
        .iter()
        .filter(|(_, schema)| example(&doc, schema).is_none())
        .map(|(what, _)| what)
        .collect();
    assert!(missing.is_empty(), "no example for {missing:#?}");
}
