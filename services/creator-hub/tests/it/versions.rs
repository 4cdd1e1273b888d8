//! New versions of a body (`PUT .../content/{id}/body`): answers keep the live version until
//! the new one's embed job completes through the ingestion library, as the AI Engine completes
//! it; a newer body replaces a pending one; bad bodies and quotas are refused like uploads.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request};
use coachai_common::auth::Role;
use coachai_common::tenancy::CreatorId;
use coachai_ingestion::{RetryPolicy, claim, complete, fail};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::harness::{Hub, MULTIPART, Part, Reply, multipart};

/// Tests that claim take turns: each backdates its own job so the claim picks it first.
static CLAIMING: Mutex<()> = Mutex::const_new(());

async fn put_json(hub: &Hub, creator: CreatorId, token: &str, id: &str, body: &Value) -> Reply {
    let path = format!("/{creator}/content/{id}/body");
    hub.call(Method::PUT, &path, token, Some(&body.to_string()))
        .await
}

async fn put_form(
    hub: &Hub,
    creator: CreatorId,
    token: &str,
    id: &str,
    parts: &[Part<'_>],
) -> Reply {
    let body = multipart(parts);
    let request = Request::put(format!("/api/v1/creators/{creator}/content/{id}/body"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", MULTIPART)
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap();
    hub.send(request).await
}

async fn chunk_texts(hub: &Hub, creator: CreatorId, token: &str, id: &str) -> String {
    let path = format!("/{creator}/content/{id}/chunks");
    let reply = hub.call(Method::GET, &path, token, None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let texts: Vec<&str> = reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    texts.join("\n")
}

async fn item(hub: &Hub, creator: CreatorId, token: &str, id: &str) -> Value {
    let reply = hub
        .call(
            Method::GET,
            &format!("/{creator}/content/{id}"),
            token,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Makes the newest queued embed job of `id` due before any other job, so the next claim takes it.
async fn backdate_newest_job(hub: &Hub, creator: CreatorId, id: Uuid) -> Uuid {
    let mut tx = hub.tenant(creator).await;
    let job: Uuid = sqlx::query_scalar(
        "UPDATE ingestion_jobs SET next_run_at = now() - interval '100 years'
          WHERE id = (SELECT id FROM ingestion_jobs
                       WHERE content_id = $1 AND status = 'queued' AND kind = 'embed'
                       ORDER BY created_at DESC LIMIT 1)
      RETURNING id",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    job
}

/// Claims and completes the newest embed job of `id` like the AI Engine.
async fn embed_latest(hub: &Hub, creator: CreatorId, id: Uuid) {
    let _turn = CLAIMING.lock().await;
    let job = backdate_newest_job(hub, creator, id).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if claim_and_finish(hub, job).await {
            return;
        }
    }
    panic!("the job of {id} was never claimed");
}

/// Claims one job: completes it when it is `job` (then `true`); puts any other job (a leftover)
/// back, due again a moment later.
async fn claim_and_finish(hub: &Hub, job: Uuid) -> bool {
    let Some(claimed) = claim(&hub.db, Duration::from_secs(30)).await.unwrap() else {
        tokio::time::sleep(Duration::from_millis(10)).await;
        return false;
    };
    let mut tx = hub.db.begin_for(claimed.creator()).await.unwrap();
    let ours = claimed.job_id().0 == job;
    if ours {
        complete(&mut tx, &claimed).await.unwrap();
    } else {
        let retry_soon = RetryPolicy {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(1),
        };
        let reason = "claimed by a versions test";
        fail(&mut tx, &claimed, reason, &retry_soon).await.unwrap();
    }
    tx.commit().await.unwrap();
    ours
}

async fn uploaded(hub: &Hub, creator: CreatorId, token: &str, body: &str) -> String {
    let first = json!({"title": "Guide", "kind": "markdown", "body": body, "tags": ["a"]});
    let reply = hub.upload(creator, token, &first).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_body_is_pending_until_its_vectors_are_ready_then_replaces_the_old_one() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let id = uploaded(&hub, creator, &owner, "# Old\n\nFirst advice.").await;
    let uuid: Uuid = id.parse().unwrap();
    embed_latest(&hub, creator, uuid).await;

    let second =
        json!({"title": "Guide v2", "kind": "markdown", "body": "# New\n\nSecond advice."});
    let reply = put_json(&hub, creator, &owner, &id, &second).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        (
            reply.body["version"].clone(),
            reply.body["pending_version"].clone()
        ),
        (json!(1), json!(2))
    );
    assert_eq!(reply.body["status"], "ready", "answers still use version 1");
    assert_eq!(reply.body["title"], "Guide v2");
    assert!(
        chunk_texts(&hub, creator, &owner, &id)
            .await
            .contains("First advice.")
    );
    let stats = hub
        .call(Method::GET, &format!("/{creator}/stats"), &owner, None)
        .await;
    assert_eq!(
        stats.body["chunks"], 1,
        "pending chunks are not counted: {}",
        stats.body
    );

    embed_latest(&hub, creator, uuid).await;

    let now = item(&hub, creator, &owner, &id).await;
    assert_eq!(
        (now["version"].clone(), now["pending_version"].clone()),
        (json!(2), Value::Null)
    );
    assert_eq!(now["status"], "ready");
    let texts = chunk_texts(&hub, creator, &owner, &id).await;
    assert!(
        texts.contains("Second advice.") && !texts.contains("First"),
        "{texts}"
    );
    let left = hub
        .count(
            creator,
            "SELECT count(*) FROM content_chunks WHERE content_id = $1 AND version = 1",
            uuid,
        )
        .await;
    assert_eq!(left, 0, "the old version's chunks are gone");
}

#[tokio::test]
async fn a_second_body_while_one_is_pending_replaces_it_and_only_the_newest_goes_live() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let id = uploaded(&hub, creator, &owner, "First advice.").await;
    let uuid: Uuid = id.parse().unwrap();
    let second = json!({"title": "Guide", "kind": "text", "body": "Second advice."});
    assert_eq!(
        put_json(&hub, creator, &owner, &id, &second).await.body["pending_version"],
        2
    );
    let third = put_form(
        &hub,
        creator,
        &owner,
        &id,
        &[Part::file("third.md", b"# Third\n\nThird advice.")],
    )
    .await;
    assert_eq!(third.status, 200, "{}", third.body);
    assert_eq!(
        (
            third.body["version"].clone(),
            third.body["pending_version"].clone()
        ),
        (json!(1), json!(3))
    );
    assert_eq!(
        third.body["title"], "third",
        "a form without a title takes the file's name"
    );
    let pending_two = hub
        .count(
            creator,
            "SELECT count(*) FROM content_chunks WHERE content_id = $1 AND version = 2",
            uuid,
        )
        .await;
    assert_eq!(
        pending_two, 0,
        "the replaced pending version's chunks are deleted"
    );
    let superseded = hub.count(creator, "SELECT count(*) FROM ingestion_jobs WHERE content_id = $1 AND content_version = 2 AND status = 'failed'", uuid).await;
    assert_eq!(superseded, 1, "its job is superseded");

    embed_latest(&hub, creator, uuid).await;
    embed_latest(&hub, creator, uuid).await;

    let now = item(&hub, creator, &owner, &id).await;
    assert_eq!(
        (
            now["version"].clone(),
            now["pending_version"].clone(),
            now["kind"].clone()
        ),
        (json!(3), Value::Null, json!("markdown"))
    );
    assert_eq!(now["source_filename"], "third.md");
    let texts = chunk_texts(&hub, creator, &owner, &id).await;
    assert!(
        texts.contains("Third advice.") && !texts.contains("First") && !texts.contains("Second"),
        "{texts}"
    );
}

#[tokio::test]
async fn bad_bodies_are_refused_like_uploads_and_change_nothing() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let id = uploaded(&hub, creator, &owner, "First advice.").await;
    let before = item(&hub, creator, &owner, &id).await;
    let blank = json!({"title": "Guide", "kind": "text", "body": "   "});
    put_json(&hub, creator, &owner, &id, &blank)
        .await
        .problem(422);
    let unknown = json!({"title": "Guide", "kind": "pdf", "body": "x"});
    put_json(&hub, creator, &owner, &id, &unknown)
        .await
        .problem(422);
    put_form(
        &hub,
        creator,
        &owner,
        &id,
        &[Part::file("x.bin", b"\x89PNG\r\n\x1a\n\x00\x00")],
    )
    .await
    .problem(415);
    put_form(&hub, creator, &owner, &id, &[Part::file("empty.txt", b"")])
        .await
        .problem(422);
    let path = format!("/{creator}/content/{id}/body");
    hub.call(Method::PUT, &path, &owner, Some("{not json"))
        .await
        .problem(400);
    let missing = format!("{}", Uuid::new_v4());
    put_json(
        &hub,
        creator,
        &owner,
        &missing,
        &json!({"title": "T", "kind": "text", "body": "x"}),
    )
    .await
    .problem(404);
    let client = hub.token(creator, Role::Client);
    put_json(
        &hub,
        creator,
        &client,
        &id,
        &json!({"title": "T", "kind": "text", "body": "x"}),
    )
    .await
    .problem(403);
    assert_eq!(item(&hub, creator, &owner, &id).await, before);
}

#[tokio::test]
async fn a_new_body_must_fit_the_storage_quota_with_the_replaced_pending_body_freed() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    let id = uploaded(&hub, creator, &owner, "0123456789").await;
    hub.set_quotas(creator, &json!({"storage_bytes": 30, "documents": 1}))
        .await;
    let twenty = json!({"title": "Guide", "kind": "text", "body": "x".repeat(20)});
    let reply = put_json(&hub, creator, &owner, &id, &twenty).await;
    assert_eq!(
        reply.status, 200,
        "a new version adds no document: {}",
        reply.body
    );
    let profile = hub.get(creator, &owner).await.body;
    assert_eq!(
        profile["usage"]["storage_bytes"], 30,
        "live and pending bodies both count"
    );
    let another = json!({"title": "Guide", "kind": "text", "body": "y".repeat(20)});
    let replaced = put_json(&hub, creator, &owner, &id, &another).await;
    assert_eq!(
        replaced.status, 200,
        "the pending body's bytes are freed: {}",
        replaced.body
    );
    let too_big = json!({"title": "Guide", "kind": "text", "body": "z".repeat(21)});
    let refused = put_json(&hub, creator, &owner, &id, &too_big)
        .await
        .problem(413);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("30 bytes"),
        "{}",
        refused.body
    );
    assert_eq!(item(&hub, creator, &owner, &id).await["pending_version"], 3);
}
