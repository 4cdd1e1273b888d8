//! More simultaneous chats than the engine has database connections, while the model list must
//! be read again: every chat is answered by the model (the list used to be read on a second
//! connection inside the chat's transaction, which deadlocked the pool; benches/chat_overhead).

use std::sync::Arc;

use serde_json::json;

use crate::Setup;

/// Connections in the harness's pool; the burst is larger.
const POOL: usize = 8;

#[tokio::test]
async fn a_burst_larger_than_the_pool_with_a_cold_model_list_is_answered_by_the_model() {
    let setup = Arc::new(Setup::new().await);
    setup.engine.registry.refresh().await.unwrap();

    let mut chats = tokio::task::JoinSet::new();
    for _ in 0..POOL + 4 {
        let setup = setup.clone();
        chats.spawn(async move {
            setup
                .ask(
                    &setup.client,
                    json!({"message": "How do I warm up my hips?"}),
                )
                .await
        });
    }

    while let Some(reply) = chats.join_next().await {
        let body = reply.unwrap().ok(200);
        assert_eq!(body["degraded"], false, "{body}");
        assert_eq!(body["model"], "smollm2:135m", "{body}");
    }
}
