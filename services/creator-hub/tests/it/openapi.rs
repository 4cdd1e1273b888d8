//! The OpenAPI document gives an example of every body a client sends or receives on success,
//! so a client author sees real values, not only types.

use axum::http::Method;
use serde_json::Value;

use crate::harness::Hub;

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

/// Every `(operation, media type, schema)` of the request bodies and 2xx responses.
fn bodies(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
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
async fn every_request_and_success_body_has_an_example() {
    let hub = Hub::new().await;
    let doc = hub.call(Method::GET, "/openapi.json", "", None).await.body;
    let described = bodies(&doc);
    assert!(described.len() >= 12, "{described:?}");
    let missing: Vec<&String> = described
        .iter()
        .filter(|(_, schema)| example(&doc, schema).is_none())
        .map(|(what, _)| what)
        .collect();
    assert!(missing.is_empty(), "no example for {missing:#?}");
}
