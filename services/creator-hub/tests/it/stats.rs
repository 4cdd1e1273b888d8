//! `GET /{creator_id}/stats`: the library now and the conversations of a period.

use axum::http::Method;
use coachai_common::auth::Role;
use coachai_common::tenancy::{CreatorId, TenantTx};
use serde_json::json;
use uuid::Uuid;

use crate::harness::Hub;

/// Content in every status, three chunks, and conversations and messages now and 60 days ago.
async fn seed(hub: &Hub, creator: CreatorId) {
    let mut tx = hub.tenant(creator).await;
    let c = creator.0;
    let mut content = Vec::new();
    for (status, size) in [
        ("ready", 100),
        ("ready", 200),
        ("failed", 30),
        ("pending", 4),
    ] {
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO content_items (creator_id, title, kind, status, size_bytes)
             VALUES ($1, 'Doc', 'text', $2, $3) RETURNING id",
        )
        .bind(c)
        .bind(status)
        .bind(size)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        content.push(id);
    }
    for index in 0..3 {
        sqlx::query("INSERT INTO content_chunks (creator_id, content_id, chunk_index, body) VALUES ($1, $2, $3, 'text')")
            .bind(c).bind(content[0]).bind(index)
            .execute(tx.conn()).await.unwrap();
    }
    seed_conversations(&mut tx, c).await;
    tx.commit().await.unwrap();
}

/// A client with a conversation of three messages now and one of one message 60 days ago.
async fn seed_conversations(tx: &mut TenantTx, c: Uuid) {
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (creator_id, email, role) VALUES ($1, 'client@example.org', 'client') RETURNING id",
    )
    .bind(c)
    .fetch_one(tx.conn())
    .await
    .unwrap();
    for (age_days, messages) in [(0, 3), (60, 1)] {
        let conversation: Uuid = sqlx::query_scalar(
            "INSERT INTO conversations (creator_id, user_id, created_at)
             VALUES ($1, $2, now() - make_interval(days => $3)) RETURNING id",
        )
        .bind(c)
        .bind(user)
        .bind(age_days)
        .fetch_one(tx.conn())
        .await
        .unwrap();
        for _ in 0..messages {
            sqlx::query(
                "INSERT INTO messages (creator_id, conversation_id, role, body, created_at)
                 VALUES ($1, $2, 'user', 'hi', now() - make_interval(days => $3))",
            )
            .bind(c)
            .bind(conversation)
            .bind(age_days)
            .execute(tx.conn())
            .await
            .unwrap();
        }
    }
}

async fn stats(hub: &Hub, creator: CreatorId, role: Role, query: &str) -> crate::harness::Reply {
    let path = format!("/{creator}/stats{query}");
    hub.call(Method::GET, &path, &hub.token(creator, role), None)
        .await
}

#[tokio::test]
async fn the_last_thirty_days_count_recent_conversations_and_the_library_as_it_is_now() {
    let hub = Hub::new().await;
    let creator = hub.creator().await;
    seed(&hub, creator).await;
    let reply = stats(&hub, creator, Role::Coach, "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.body;
    assert_eq!(body["documents"], 4);
    assert_eq!(
        body["documents_by_status"],
        json!({"pending": 1, "processing": 0, "ready": 2, "failed": 1})
    );
    assert_eq!(
        (body["chunks"].clone(), body["storage_bytes"].clone()),
        (json!(3), json!(334))
    );
    assert_eq!(
        (body["conversations"].clone(), body["messages"].clone()),
        (json!(1), json!(3))
    );

    let from = (chrono::Utc::now() - chrono::Duration::days(90))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let longer = stats(&hub, creator, Role::Owner, &format!("?from={from}"))
        .await
        .body;
    assert_eq!(
        (longer["conversations"].clone(), longer["messages"].clone()),
        (json!(2), json!(4))
    );
}

#[tokio::test]
async fn bad_periods_clients_and_other_creators_are_refused() {
    let hub = Hub::new().await;
    let (creator, other) = (hub.creator().await, hub.creator().await);
    for query in [
        "?from=yesterday",
        "?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z",
        "?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    ] {
        stats(&hub, creator, Role::Owner, query).await.problem(422);
    }
    stats(&hub, creator, Role::Client, "").await.problem(403);
    let path = format!("/{other}/stats");
    hub.call(Method::GET, &path, &hub.token(creator, Role::Owner), None)
        .await
        .problem(404);
}
