//! Uploading to the content library: chunks with their locations, the job in the same
//! transaction, quotas decided atomically, changes and deletes, and the usage the profile shows.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::harness::Hub;

const GUIDE: &str = "# Guide\n\nWhat this guide covers.\n\n## Warm-up\n\nStart slowly.\n\n\
                     ### Ankles\n\nDraw circles with each foot.\n\n## Lifts\n\nHinge at the hips.";

fn id_of(reply: &Value) -> Uuid {
    reply["id"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn markdown_is_chunked_under_its_nested_heading_paths_and_queued_once() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let before = hub.get(creator, &coach).await.body;
    assert_eq!(before["usage"]["documents"], 0, "the profile is cached now");

    let body = json!({"title": " Guide ", "kind": "markdown", "body": GUIDE,
                      "tags": ["mobility", "basics", "mobility"]});
    let created = hub.upload(creator, &coach, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let item = created.body;
    assert_eq!(item["title"], "Guide");
    assert_eq!(item["kind"], "markdown");
    assert_eq!(item["status"], "pending");
    assert_eq!(item["status_reason"], Value::Null);
    assert_eq!(item["version"], 1);
    assert_eq!(item["chunks_processed"], 0);
    assert_eq!(item["size_bytes"], GUIDE.len());
    assert_eq!(item["tags"], json!(["mobility", "basics"]));
    assert_eq!(item["source_filename"], Value::Null);
    let id = id_of(&item);

    let path = format!("/{creator}/content/{id}/chunks");
    let chunks = hub.call(Method::GET, &path, &coach, None).await;
    assert_eq!(chunks.status, 200, "{}", chunks.body);
    let chunks = chunks.body.as_array().unwrap().clone();
    assert_eq!(item["chunks_total"], chunks.len());
    let heading_of = |needle: &str| {
        chunks
            .iter()
            .find(|c| c["text"].as_str().unwrap().contains(needle))
            .map(|c| c["location"]["heading_path"].clone())
            .unwrap_or_else(|| panic!("no chunk holds {needle}: {chunks:?}"))
    };
    assert_eq!(heading_of("guide covers"), json!(["Guide"]));
    assert_eq!(heading_of("Start slowly"), json!(["Guide", "Warm-up"]));
    assert_eq!(heading_of("circles"), json!(["Guide", "Warm-up", "Ankles"]));
    assert_eq!(heading_of("Hinge"), json!(["Guide", "Lifts"]));
    let indexes: Vec<i64> = chunks
        .iter()
        .map(|c| c["index"].as_i64().unwrap())
        .collect();
    assert_eq!(indexes, (0..chunks.len() as i64).collect::<Vec<_>>());

    let jobs = "SELECT count(*) FROM ingestion_jobs WHERE content_id = $1 AND kind = 'embed'";
    assert_eq!(hub.count(creator, jobs, id).await, 1);
    let after = hub.get(creator, &coach).await.body;
    assert_eq!(
        after["usage"],
        json!({"documents": 1, "storage_bytes": GUIDE.len()}),
        "the cached profile was invalidated"
    );
}

#[tokio::test]
async fn two_parallel_uploads_for_the_last_slot_get_one_201_and_one_409() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    hub.set_quotas(creator, &json!({"documents": 2})).await;
    let note = |n: u32| json!({"title": format!("Note {n}"), "kind": "text", "body": "Breathe."});
    assert_eq!(hub.upload(creator, &owner, &note(1)).await.status, 201);

    let (second, third) = (note(2), note(3));
    let (a, b) = tokio::join!(
        hub.upload(creator, &owner, &second),
        hub.upload(creator, &owner, &third)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
    let refused = if a.status == 409 { a } else { b }.problem(409);
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("quota is 2 items and 2 are stored"),
        "{detail}"
    );
    let profile = hub.get(creator, &owner).await.body;
    assert_eq!(profile["usage"]["documents"], 2);
}

#[tokio::test]
async fn an_upload_over_the_storage_quota_is_413_and_stores_nothing() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    hub.set_quotas(creator, &json!({"storage_bytes": 100}))
        .await;
    let fits = json!({"title": "Small", "kind": "text", "body": "a".repeat(60)});
    assert_eq!(hub.upload(creator, &owner, &fits).await.status, 201);

    let big = json!({"title": "Big", "kind": "text", "body": "b".repeat(41)});
    let reply = hub.upload(creator, &owner, &big).await.problem(413);
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("quota is 100 bytes and 60 are used"),
        "{detail}"
    );
    assert!(detail.contains("41 bytes"), "{detail}");
    let list = hub
        .call(Method::GET, &format!("/{creator}/content"), &owner, None)
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_deleted_item_is_gone_with_its_chunks_and_embed_job_queues_its_vector_deletion_and_frees_its_quota()
 {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let admin = hub.token(creator, Role::Admin);
    let body = json!({"title": "Guide", "kind": "markdown", "body": GUIDE});
    let id = id_of(&hub.upload(creator, &admin, &body).await.body);
    assert_eq!(hub.get(creator, &admin).await.body["usage"]["documents"], 1);

    let path = format!("/{creator}/content/{id}");
    let deleted = hub.call(Method::DELETE, &path, &admin, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    hub.call(Method::GET, &path, &admin, None)
        .await
        .problem(404);
    let chunks = format!("{path}/chunks");
    hub.call(Method::GET, &chunks, &admin, None)
        .await
        .problem(404);
    hub.call(Method::DELETE, &path, &admin, None)
        .await
        .problem(404);
    let left = "SELECT (SELECT count(*) FROM content_chunks WHERE content_id = $1)
                     + (SELECT count(*) FROM ingestion_jobs WHERE content_id = $1 AND kind = 'embed')";
    assert_eq!(hub.count(creator, left, id).await, 0);
    let deletion = "SELECT count(*) FROM ingestion_jobs
                     WHERE content_id = $1 AND kind = 'delete' AND status = 'queued'";
    assert_eq!(
        hub.count(creator, deletion, id).await,
        1,
        "one job removes the vectors"
    );
    let usage = &hub.get(creator, &admin).await.body["usage"];
    assert_eq!(usage, &json!({"documents": 0, "storage_bytes": 0}));
}

#[tokio::test]
async fn a_coach_renames_and_retags_an_item_and_a_client_cannot_touch_the_library() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let coach = hub.token(creator, Role::Coach);
    let body = json!({"title": "Draft", "kind": "text", "body": "Some text.", "tags": ["a"]});
    let created = hub.upload(creator, &coach, &body).await.body;
    let path = format!("/{creator}/content/{}", id_of(&created));

    let change = json!({"title": "Final", "tags": ["b", "c"]}).to_string();
    let changed = hub.call(Method::PATCH, &path, &coach, Some(&change)).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["title"], "Final");
    assert_eq!(changed.body["tags"], json!(["b", "c"]));
    assert_eq!(changed.body["created_at"], created["created_at"]);
    assert_eq!(
        hub.call(Method::GET, &path, &coach, None).await.body,
        changed.body
    );

    let client = hub.token(creator, Role::Client);
    hub.call(Method::GET, &path, &client, None)
        .await
        .problem(403);
    hub.upload(creator, &client, &body).await.problem(403);
    hub.call(Method::DELETE, &path, &client, None)
        .await
        .problem(403);
}
