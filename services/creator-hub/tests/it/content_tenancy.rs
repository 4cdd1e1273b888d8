//! One table of every route that names a creator (profile, stats, content), called with creator
//! A's token on creator B: each answers 404 with no data, and B is unchanged.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::json;

use crate::harness::Hub;

/// Every creator route: method, path after `/{creator}`, and a body when it takes one.
const ROUTES: [(Method, &str, Option<&str>); 10] = [
    (Method::GET, "", None),
    (Method::PATCH, "", Some(r#"{"bio": "Taken over"}"#)),
    (Method::GET, "/stats", None),
    (Method::GET, "/content", None),
    (Method::GET, "/content/{id}", None),
    (Method::GET, "/content/{id}/chunks", None),
    (
        Method::PATCH,
        "/content/{id}",
        Some(r#"{"title": "Taken over"}"#),
    ),
    (
        Method::PUT,
        "/content/{id}/body",
        Some(r#"{"title": "Planted", "kind": "text", "body": "Planted."}"#),
    ),
    (Method::DELETE, "/content/{id}", None),
    (
        Method::POST,
        "/content",
        Some(r#"{"title": "Planted", "kind": "text", "body": "Planted."}"#),
    ),
];

#[tokio::test]
async fn every_content_route_answers_404_for_another_creators_content_and_changes_nothing() {
    let hub = Hub::new().await;
    let (a, b) = (hub.creator().await, hub.creator().await);
    let (a_owner, b_owner) = (hub.token(a, Role::Owner), hub.token(b, Role::Owner));
    let body = json!({"title": "B's guide", "kind": "markdown", "body": "# B\n\nSecret plan."});
    let b_item = hub.upload(b, &b_owner, &body).await.body;
    let b_id = b_item["id"].as_str().unwrap().to_owned();
    let b_path = format!("/{b}/content/{b_id}");
    let b_before = hub.call(Method::GET, &b_path, &b_owner, None).await.body;
    let a_item = hub.upload(a, &a_owner, &body).await.body;
    assert_eq!(a_item["status"], "pending");

    for (method, route, body) in ROUTES {
        let route = route.replace("{id}", &b_id);
        for creator in [b, a] {
            let path = format!("/{creator}{route}");
            let mine = creator == a;
            if mine && !route.contains(&b_id) {
                continue;
            }
            let reply = hub.call(method.clone(), &path, &a_owner, body).await;
            let reply = reply.problem(404);
            assert!(
                !reply.body.to_string().contains("Secret"),
                "{method} {path}"
            );
        }
    }

    let b_after = hub.call(Method::GET, &b_path, &b_owner, None).await.body;
    assert_eq!(b_after, b_before, "B's item is unchanged");
    let chunks = format!("{b_path}/chunks");
    let b_chunks = hub.call(Method::GET, &chunks, &b_owner, None).await.body;
    assert!(
        b_chunks[0]["text"]
            .as_str()
            .unwrap()
            .contains("Secret plan")
    );
    let b_list = hub
        .call(Method::GET, &format!("/{b}/content"), &b_owner, None)
        .await;
    assert_eq!(
        b_list.body["items"].as_array().unwrap().len(),
        1,
        "nothing planted in B"
    );
    let a_list = hub
        .call(Method::GET, &format!("/{a}/content"), &a_owner, None)
        .await;
    assert_eq!(a_list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_every_content_route_and_its_filters() {
    let hub = Hub::new().await;
    let doc = hub.call(Method::GET, "/openapi.json", "", None).await.body;
    let paths = &doc["paths"];
    let at = |path: &str| &paths[format!("/api/v1/creators/{{creator_id}}{path}")];
    for (method, route, _) in ROUTES {
        let route = route.replace("{id}", "{content_id}");
        let method = method.as_str().to_lowercase();
        assert!(at(&route)[&method].is_object(), "{method} {route}: {paths}");
    }
    let forms = &at("/content")["post"]["requestBody"]["content"];
    for media in ["application/json", "multipart/form-data"] {
        assert!(forms[media]["schema"].is_object(), "{media} in {forms}");
    }
    let params = at("/content")["get"]["parameters"].to_string();
    for name in ["status", "kind", "tag", "q", "cursor", "limit"] {
        assert!(
            params.contains(&format!("\"{name}\"")),
            "{name} in {params}"
        );
    }
}
