//! The chat path reads a creator's template through the shared Redis cache, and every write
//! through the API invalidates it, so an activation shows on the very next render.

use coachai_common::auth::Role;
use coachai_common::cache::Cache;

use crate::prompts_harness::Engine;

#[tokio::test]
async fn renders_are_served_from_the_cache_until_a_write_invalidates_it() {
    let engine = Engine::new().await;
    let creator = engine.creator().await;
    let owner = engine.user(creator, Role::Owner).await.token;
    engine.create(&owner, "chat", "cached v1").await.ok(201);
    assert_eq!(engine.render(creator, "q").await.system, "cached v1");

    // Behind the API's back: only a cached read can still answer with the old body.
    let mut tx = engine.tenant(creator).await;
    sqlx::query("UPDATE prompt_templates SET body = 'changed in place' WHERE version = 1")
        .execute(tx.conn())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        engine.render(creator, "q").await.system,
        "cached v1",
        "the second render should come from Redis ({})",
        Cache::tenant_key(creator, "prompt-template:chat")
    );

    engine
        .add_version(&owner, "chat", "v2", false)
        .await
        .ok(201);
    assert_eq!(engine.render(creator, "q").await.system, "changed in place");
    engine.activate(&owner, "chat", "2").await.ok(200);
    assert_eq!(engine.render(creator, "q").await.system, "v2");
}
