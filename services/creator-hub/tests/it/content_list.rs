//! Listing the library: keyset pages that neither repeat nor skip items while new ones arrive,
//! the filters, and cursors or parameters the API did not make.

use std::collections::HashSet;

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use serde_json::{Value, json};

use crate::harness::{Hub, Reply};

async fn list(hub: &Hub, creator: CreatorId, token: &str, query: &str) -> Reply {
    let path = format!("/{creator}/content?{query}");
    hub.call(Method::GET, &path, token, None).await
}

async fn add(hub: &Hub, creator: CreatorId, token: &str, title: &str, kind: &str, tags: Value) {
    let body = json!({"title": title, "kind": kind, "body": "Some words.", "tags": tags});
    let reply = hub.upload(creator, token, &body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn pages_of_ten_walk_25_items_newest_first_while_new_items_arrive() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    for n in 0..25 {
        add(
            &hub,
            creator,
            &owner,
            &format!("Item {n:02}"),
            "text",
            json!([]),
        )
        .await;
    }

    let mut seen: Vec<String> = Vec::new();
    let mut query = "limit=10".to_owned();
    for page in 0.. {
        let reply = list(&hub, creator, &owner, &query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let items = reply.body["items"].as_array().unwrap();
        seen.extend(
            items
                .iter()
                .map(|i| i["title"].as_str().unwrap().to_owned()),
        );
        if page == 0 {
            add(&hub, creator, &owner, "Newcomer", "text", json!([])).await;
        }
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => query = format!("limit=10&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).rev().map(|n| format!("Item {n:02}")).collect();
    assert_eq!(seen, expected, "no repeats, no gaps, newest first");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    let first = list(&hub, creator, &owner, "limit=1").await.body;
    assert_eq!(first["items"][0]["title"], "Newcomer");
}

#[tokio::test]
async fn filters_narrow_the_list_and_combine() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    add(
        &hub,
        creator,
        &coach,
        "Hip mobility",
        "markdown",
        json!(["mobility"]),
    )
    .await;
    add(
        &hub,
        creator,
        &coach,
        "Hip hinge",
        "text",
        json!(["strength"]),
    )
    .await;
    add(
        &hub,
        creator,
        &coach,
        "50% effort_days",
        "text",
        json!(["mobility"]),
    )
    .await;

    let titles = |reply: Reply| -> Vec<String> {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let items = reply.body["items"].as_array().unwrap().clone();
        items
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_tag = titles(list(&hub, creator, &coach, "tag=mobility").await);
    assert_eq!(by_tag, ["50% effort_days", "Hip mobility"]);
    let by_kind = titles(list(&hub, creator, &coach, "kind=markdown").await);
    assert_eq!(by_kind, ["Hip mobility"]);
    let by_text = titles(list(&hub, creator, &coach, "q=HIP&tag=strength").await);
    assert_eq!(by_text, ["Hip hinge"]);
    let literal = titles(list(&hub, creator, &coach, "q=%25+effort_").await);
    assert_eq!(literal, ["50% effort_days"]);
    assert!(titles(list(&hub, creator, &coach, "q=_").await).len() == 1);
    assert_eq!(
        titles(list(&hub, creator, &coach, "status=pending").await).len(),
        3
    );
    assert!(titles(list(&hub, creator, &coach, "status=ready").await).is_empty());
}

#[tokio::test]
async fn tampered_cursors_and_bad_parameters_are_400_problems() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    for n in 0..3 {
        add(
            &hub,
            creator,
            &owner,
            &format!("Item {n}"),
            "text",
            json!([]),
        )
        .await;
    }
    let page = list(&hub, creator, &owner, "limit=1").await.body;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(
        list(&hub, creator, &owner, &format!("cursor={cursor}"))
            .await
            .status,
        200
    );

    let truncated = &cursor[..cursor.len() - 4];
    let garbage = "bm90IGEgY3Vyc29y";
    let flipped: String = cursor.chars().rev().collect();
    for query in [
        format!("cursor={truncated}"),
        format!("cursor={garbage}"),
        format!("cursor={flipped}"),
        format!("cursor={cursor}x"),
        "cursor=".to_owned(),
        "limit=0".to_owned(),
        "limit=101".to_owned(),
        "limit=ten".to_owned(),
        "status=archived".to_owned(),
        "kind=video".to_owned(),
        "sort=title".to_owned(),
        format!("q={}", "x".repeat(201)),
    ] {
        let reply = list(&hub, creator, &owner, &query).await;
        reply.problem(400);
    }
}
