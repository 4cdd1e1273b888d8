//! Keyset pages of the caller's conversations, newest first.

use std::collections::HashSet;

use axum::http::Method;
use coachai_common::auth::Role;
use serde_json::Value;

use super::harness::{Engine, User};
use super::{chat, engine};

/// Every page from the start, `limit` at a time, calling `between` after the first page.
async fn walk(
    engine: &Engine,
    user: &User,
    limit: u32,
    between: impl AsyncFnOnce(),
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut between = Some(between);
    loop {
        let path = match &cursor {
            Some(c) => format!("/conversations?limit={limit}&cursor={c}"),
            None => format!("/conversations?limit={limit}"),
        };
        let page = engine
            .call(Method::GET, &path, &user.token, None)
            .await
            .ok(200);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        if let Some(between) = between.take() {
            between().await;
        }
        match &page["next_cursor"] {
            Value::String(next) => cursor = Some(next.clone()),
            _ => return seen,
        }
    }
}

#[tokio::test]
async fn pages_are_newest_first_and_stable_while_conversations_are_added() {
    let engine = engine().await;
    let client = engine.user(engine.creator().await, Role::Client).await;
    let mut started = Vec::new();
    for n in 0..5 {
        started.push(
            chat(&engine, &client, &format!("question {n}"))
                .await
                .to_string(),
        );
    }
    let newest_first: Vec<String> = started.iter().rev().cloned().collect();

    let seen = walk(&engine, &client, 2, async || {
        chat(&engine, &client, "asked while paging").await;
    })
    .await;
    assert_eq!(seen, newest_first, "no conversation skipped or repeated");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);

    let all = walk(&engine, &client, 100, async || {}).await;
    assert_eq!(all.len(), 6);
    assert_eq!(all[1..], newest_first[..]);
}

#[tokio::test]
async fn bad_limits_and_foreign_cursors_are_400() {
    let engine = engine().await;
    let client = engine.user(engine.creator().await, Role::Client).await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=not-a-cursor",
        "sort=asc",
    ] {
        engine
            .call(
                Method::GET,
                &format!("/conversations?{query}"),
                &client.token,
                None,
            )
            .await
            .problem(400);
    }
}
