//! The handoff routes are staff-only and tenant-scoped: another creator's coach finds nothing
//! (404, and nothing listed), a client is refused (403), and bad input is a 4xx problem.

use axum::http::Method;
use coachai_common::auth::Role;
use uuid::Uuid;

use crate::coach::{Scene, ids};
use crate::support::events::conversation;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_creators_coach_cannot_see_or_take_over_and_clients_cannot_use_the_routes() {
    let scene = Scene::start().await;
    let mut ws = scene.connect(&scene.client).await;
    let events = scene
        .say(&mut ws, None, "I have chest pain", |_| false)
        .await;
    let id = conversation(&events[0]);
    let other_creator = scene.stack.creator().await;
    let stranger = scene.stack.engine.user(other_creator, Role::Coach).await;

    assert!(scene.listed(&stranger, "").await.is_empty());
    assert_eq!(scene.hand(&stranger, &id, "coach").await.status, 404);
    assert_eq!(scene.reply(&stranger, &id, "hello").await.status, 404);
    let unknown = Uuid::new_v4().to_string();
    assert_eq!(
        scene.hand(&scene.coach, &unknown, "coach").await.status,
        404
    );

    let client = &scene.client;
    let listing = scene
        .call(Method::GET, "/conversations", &client.token, None)
        .await;
    assert_eq!(listing.status, 403, "{listing:?}");
    assert_eq!(listing.content_type, "application/problem+json");
    assert_eq!(scene.hand(client, &id, "coach").await.status, 403);
    assert_eq!(scene.reply(client, &id, "hello").await.status, 403);

    let still = scene.listed(&scene.coach, "?state=ai").await;
    assert_eq!(ids(&still), [id.as_str()], "nothing changed hands");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_on_the_handoff_routes_is_a_client_error_never_a_500() {
    let scene = Scene::start().await;
    let token = &scene.coach.token;
    let cases = [
        (
            Method::GET,
            "/conversations?state=robot".to_owned(),
            None,
            400,
        ),
        (Method::GET, "/conversations?limit=0".to_owned(), None, 400),
        (
            Method::GET,
            "/conversations?cursor=nope".to_owned(),
            None,
            400,
        ),
        (
            Method::GET,
            "/conversations?colour=red".to_owned(),
            None,
            400,
        ),
        (
            Method::POST,
            "/conversations/not-a-uuid/handoff".to_owned(),
            Some(serde_json::json!({"state": "coach"})),
            400,
        ),
    ];
    for (method, path, body, status) in cases {
        let answer = scene.call(method, &path, token, body).await;
        assert_eq!(answer.status, status, "{path}: {answer:?}");
        assert_eq!(answer.content_type, "application/problem+json", "{path}");
    }
    let id = Uuid::new_v4();
    let robot = scene.hand(&scene.coach, &id.to_string(), "robot").await;
    assert!((400..500).contains(&robot.status), "{robot:?}");
}
