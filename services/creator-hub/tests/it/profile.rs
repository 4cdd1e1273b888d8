//! The creator profile: who reads and changes it, what a change does, the cache in front of it,
//! and that another creator's profile is never reachable.

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::json;

use crate::harness::Hub;

#[tokio::test]
async fn the_owner_reads_the_profile_with_default_quotas_and_current_usage() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let mut tx = hub.tenant(creator).await;
    sqlx::query(
        "INSERT INTO content_items (creator_id, title, kind, size_bytes) VALUES ($1, 'Notes', 'text', 1234)",
    )
    .bind(creator.0)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let reply = hub.get(creator, &hub.token(creator, Role::Owner)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let profile = reply.body;
    assert_eq!(profile["id"], creator.0.to_string());
    assert_eq!(profile["display_name"], "Hub Test");
    assert!(profile["slug"].as_str().unwrap().starts_with("hub-"));
    assert_eq!(profile["bio"], "");
    assert_eq!(profile["allowed_origins"], json!([]));
    assert_eq!(profile["quotas"]["documents"], 200);
    assert_eq!(profile["quotas"]["requests_per_minute"], 60);
    assert_eq!(
        profile["usage"],
        json!({"storage_bytes": 1234, "documents": 1})
    );
    assert_eq!(profile["persona"]["avoid_topics"], json!([]));
}

#[tokio::test]
async fn an_admin_changes_the_profile_and_every_reader_sees_the_change_at_once() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let (admin, coach) = (
        hub.token(creator, Role::Admin),
        hub.token(creator, Role::Coach),
    );
    assert_eq!(
        hub.get(creator, &coach).await.body["display_name"],
        "Hub Test",
        "cached now"
    );

    let change = json!({
        "display_name": "Kettlebell Kate",
        "bio": "Strength for everyone.",
        "branding": {"primary_color": "#0f766e", "avatar_url": "https://cdn.example.com/kate.png"},
        "persona": {"coach_name": "Kate", "tone": "warm, direct", "avoid_topics": ["medical diagnosis"],
                    "escalation_topics": ["injury"], "disclaimer": "Not medical advice."},
        "chat_model": "llama3.2:3b",
        "allowed_origins": ["https://Kate.Example.com/", "http://localhost:3000", "https://kate.example.com"]
    });
    let changed = hub.patch(creator, &admin, &change).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let seen = hub.get(creator, &coach).await.body;
    assert_eq!(seen, changed.body, "the cached profile was invalidated");
    assert_eq!(seen["display_name"], "Kettlebell Kate");
    assert_eq!(seen["persona"]["escalation_topics"], json!(["injury"]));
    assert_eq!(seen["chat_model"], "llama3.2:3b");
    assert_eq!(
        seen["allowed_origins"],
        json!(["https://kate.example.com", "http://localhost:3000"])
    );

    let mut tx = hub.tenant(creator).await;
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'creators.update'")
            .fetch_one(tx.conn())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn profile_reads_are_served_from_the_cache_until_a_change() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    let owner = hub.token(creator, Role::Owner);
    assert_eq!(hub.get(creator, &owner).await.body["bio"], "");
    let mut tx = hub.tenant(creator).await;
    sqlx::query("UPDATE creators SET bio = 'written behind the API'")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        hub.get(creator, &owner).await.body["bio"],
        "",
        "served from the cache"
    );
    hub.patch(creator, &owner, &json!({"display_name": "Renamed"}))
        .await;
    assert_eq!(
        hub.get(creator, &owner).await.body["bio"],
        "written behind the API"
    );
}

#[tokio::test]
async fn clients_cannot_read_the_settings_and_coaches_cannot_change_them() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    hub.get(creator, &hub.token(creator, Role::Client))
        .await
        .problem(403);
    let coach = hub.token(creator, Role::Coach);
    hub.patch(creator, &coach, &json!({"bio": "mine now"}))
        .await
        .problem(403);
    assert_eq!(hub.get(creator, &coach).await.body["bio"], "");
}

#[tokio::test]
async fn another_creators_profile_is_not_found_and_stays_unchanged() {
    let hub = Hub::new().await;
    let (a, b) = (hub.creator().await, hub.creator().await);
    let a_owner = hub.token(a, Role::Owner);
    let reply = hub.get(b, &a_owner).await.problem(404);
    assert!(reply.body.get("slug").is_none());
    hub.patch(b, &a_owner, &json!({"display_name": "Hijacked"}))
        .await
        .problem(404);
    let unknown = coachai_common::tenancy::CreatorId(uuid::Uuid::new_v4());
    hub.get(unknown, &a_owner).await.problem(404);
    let b_view = hub.get(b, &hub.token(b, Role::Owner)).await;
    assert_eq!(b_view.body["display_name"], "Hub Test");
    hub.call(Method::GET, "/not-a-uuid", &a_owner, None)
        .await
        .problem(400);
    hub.call(Method::GET, &format!("/{a}"), "forged.token.here", None)
        .await
        .problem(401);
}
