//! Bodies of one item sent at the same moment: the item row's lock puts them in a line, so each
//! gets its own version, only the last stays pending and nothing of the others is left behind.

use axum::http::Method;
use coachai_common::auth::Role;
use futures::future::join_all;
use serde_json::json;
use uuid::Uuid;

use crate::harness::Hub;

const PUTS: i64 = 8;

#[tokio::test]
async fn bodies_sent_at_once_each_get_a_version_and_only_the_last_stays_pending() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let first = json!({"title": "Guide", "kind": "text", "body": "First advice."});
    let created = hub
        .call(
            Method::POST,
            &format!("/{creator}/content"),
            &owner,
            Some(&first.to_string()),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/{creator}/content/{id}/body");

    let bodies: Vec<String> = (0..PUTS)
        .map(|n| {
            json!({"title": "Guide", "kind": "text", "body": format!("Body {n}.")}).to_string()
        })
        .collect();
    let replies = join_all(
        bodies
            .iter()
            .map(|body| hub.call(Method::PUT, &path, &owner, Some(body))),
    )
    .await;

    let mut versions: Vec<i64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{}", r.body);
            r.body["pending_version"].as_i64().unwrap()
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(versions, (2..2 + PUTS).collect::<Vec<i64>>());

    let uuid: Uuid = id.parse().unwrap();
    let last = 1 + PUTS;
    let count = |sql: &'static str| hub.count(creator, sql, uuid);
    let pending_chunks = count(
        "SELECT count(*) FROM content_chunks
          WHERE content_id = $1 AND version > 1 AND version <> \
         (SELECT pending_version FROM content_items WHERE id = $1)",
    )
    .await;
    assert_eq!(pending_chunks, 0, "only the last body's chunks are pending");
    let pending = count("SELECT pending_version::bigint FROM content_items WHERE id = $1").await;
    assert_eq!(pending, last);
    let waiting = count(
        "SELECT count(*) FROM ingestion_jobs
          WHERE content_id = $1 AND kind = 'embed' AND status = 'queued' AND content_version > 1",
    )
    .await;
    assert_eq!(waiting, 1, "one embed job waits: the last body's");
    let superseded = count(
        "SELECT count(*) FROM ingestion_jobs
          WHERE content_id = $1 AND kind = 'embed' AND status = 'failed'",
    )
    .await;
    assert_eq!(superseded, PUTS - 1);
    let usage = hub
        .call(Method::GET, &format!("/{creator}"), &owner, None)
        .await;
    let expected = "First advice.".len() + format!("Body {}.", PUTS - 1).len();
    assert_eq!(
        usage.body["usage"]["storage_bytes"], expected,
        "the storage quota counts the live and the one pending body"
    );
}
