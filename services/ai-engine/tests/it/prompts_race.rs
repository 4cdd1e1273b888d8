//! Concurrent writes to one template queue behind each other: one creation wins, and versions
//! saved at the same time get distinct numbers.

use coachai_common::auth::Role;

use crate::prompts_harness::Engine;

#[tokio::test]
async fn two_creations_of_one_template_at_once_make_one_template_and_one_conflict() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    let (first, second) = tokio::join!(
        engine.create(&owner, "chat", "first"),
        engine.create(&owner, "chat", "second")
    );
    let mut statuses = [first.status.as_u16(), second.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
    let list = engine.list(&owner).await.ok(200);
    assert_eq!(
        list["templates"][0]["versions"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn versions_saved_at_the_same_time_get_distinct_numbers_and_one_stays_active() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", "v1").await.ok(201);
    let replies = tokio::join!(
        engine.add_version(&owner, "chat", "a", true),
        engine.add_version(&owner, "chat", "b", true),
        engine.add_version(&owner, "chat", "c", true),
        engine.add_version(&owner, "chat", "d", true),
    );
    let mut numbers: Vec<i64> = [replies.0, replies.1, replies.2, replies.3]
        .into_iter()
        .map(|reply| reply.ok(201)["version"].as_i64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [2, 3, 4, 5]);
    let list = engine.list(&owner).await.ok(200);
    let versions = list["templates"][0]["versions"].as_array().unwrap();
    let active = versions.iter().filter(|v| v["active"] == true).count();
    assert_eq!((versions.len(), active), (5, 1), "{list}");
}
