//! Every messaging route is in the service's OpenAPI document.

use reqwest::Method;

use crate::support::stack::Stack;

#[tokio::test]
async fn every_messaging_route_is_documented_in_openapi() {
    let stack = Stack::start().await;
    let doc = stack
        .send(Method::GET, "/openapi.json", None, &[], None)
        .await;
    assert_eq!(doc.status, 200);
    let paths = &doc.body["paths"];
    let expected = [
        ("/api/v1/channels/{creator_id}/integrations", "get"),
        ("/api/v1/channels/{creator_id}/integrations", "post"),
        ("/api/v1/channels/{creator_id}/integrations/{id}", "get"),
        ("/api/v1/channels/{creator_id}/integrations/{id}", "delete"),
        ("/api/v1/channels/{creator_id}/deliveries", "get"),
        (
            "/api/v1/channels/{creator_id}/deliveries/{id}/redeliver",
            "post",
        ),
        ("/api/v1/channels/{creator_id}/inbound", "get"),
        ("/api/v1/channels/{creator_id}/inbound/{id}/retry", "post"),
        ("/api/v1/channels/telegram/{integration_id}/webhook", "post"),
        ("/api/v1/channels/webhook/{integration_id}", "post"),
    ];
    for (path, method) in expected {
        let operation = &paths[path][method];
        assert!(
            operation.is_object(),
            "{method} {path} is missing: {}",
            doc.body["paths"]
        );
        assert_eq!(operation["tags"][0], "messaging", "{method} {path}");
    }
}
