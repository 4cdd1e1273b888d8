//! Constraint violations reach a client as stable problems, never as PostgreSQL's own words.

use axum::response::IntoResponse;
use coachai_common::AppError;
use http_body_util::BodyExt;
use serde_json::Value;
use uuid::Uuid;

use crate::support::{db, new_creator};

/// Runs `sql` (with the tenant as `$1`) as `coachai_app` in a fresh tenant and returns the
/// database's message and the problem body a client would receive.
async fn violate(sql: &str) -> (String, u16, Value) {
    let db = db().await;
    let creator = new_creator(&db).await;
    let mut tx = db.begin_for(creator).await.unwrap();
    let err = sqlx::query(sql)
        .bind(creator.0)
        .bind(Uuid::new_v4())
        .execute(tx.conn())
        .await
        .expect_err(sql);
    let message = err.as_database_error().expect(sql).message().to_owned();
    let response = AppError::from(err).into_response();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (message, status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn constraint_violations_name_the_field_without_the_servers_message() {
    let cases = [
        (
            "INSERT INTO content_items (creator_id, title, kind) VALUES ($1, 'x', 'video')",
            422,
            "kind: is not an allowed value",
        ),
        (
            "INSERT INTO content_items (creator_id, kind) VALUES ($1, 'note')",
            422,
            "title: is required",
        ),
        (
            "INSERT INTO content_items (creator_id, title, kind) VALUES ($1, '', 'note')",
            422,
            "title: is too short or too long",
        ),
        (
            "INSERT INTO content_chunks (creator_id, content_id, chunk_index, body)
                  VALUES ($1, $2, 0, 'orphan')",
            422,
            "content_id: refers to something that does not exist",
        ),
        (
            "INSERT INTO channel_connections (creator_id, kind, name)
                  VALUES ($1, 'web', 'site'), ($1, 'web', 'site')",
            409,
            "something with this `name` already exists",
        ),
    ];
    for (sql, status, detail) in cases {
        let (message, got_status, problem) = violate(sql).await;
        assert_eq!(got_status, status, "{sql}: {problem}");
        assert_eq!(problem["detail"], detail, "{sql}");
        let body = problem.to_string();
        for leak in [
            message.as_str(),
            "violates",
            "constraint",
            "relation",
            "null value",
        ] {
            assert!(
                !body.contains(leak),
                "{sql}: the problem reveals `{leak}`: {body}"
            );
        }
    }
}
