//! When the AI Engine refuses an inbound message (here: the integration's key is revoked), the
//! message stays pending and is retried with backoff; once the engine takes it, it is answered.

use std::time::Duration;

use crate::support::eventually;
use crate::support::receiver::{Mode, Receiver};
use crate::support::stack::Stack;
use crate::webhook::{hook, post, signed};

/// Revokes (or restores) the API key of integration `id`: the AI Engine refuses (or takes) it.
pub async fn set_revoked(
    stack: &Stack,
    creator: coachai_common::tenancy::CreatorId,
    id: &str,
    revoked: bool,
) {
    let mut tx = stack.tenant(creator).await;
    sqlx::query(
        "UPDATE api_keys SET revoked_at = CASE WHEN $2 THEN now() END
          WHERE id = (SELECT api_key_id FROM channel_integrations WHERE id = $1::uuid)",
    )
    .bind(id)
    .bind(revoked)
    .execute(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_message_the_ai_engine_refuses_is_retried_until_it_is_answered() {
    let stack = Stack::start().await;
    let receiver = Receiver::start(Mode::Up).await;
    let (creator, id, secret) = hook(&stack, &receiver).await;
    set_revoked(&stack, creator, &id, true).await;
    let (body, ts, signature) = signed(&secret, "c-refused", "Can I train daily?");
    assert_eq!(post(&stack, &id, &body, ts, signature).await.status, 200);
    let error = eventually(
        "the refusal is recorded on the message",
        Duration::from_secs(20),
        || async {
            let mut tx = stack.tenant(creator).await;
            let row: Option<(i32, Option<String>)> = sqlx::query_as(
                "SELECT attempts, last_error FROM channel_inbound
              WHERE integration_id = $1::uuid AND status = 'pending' AND attempts >= 2",
            )
            .bind(&id)
            .fetch_optional(tx.conn())
            .await
            .unwrap();
            row.and_then(|(_, error)| error)
        },
    )
    .await;
    assert!(!error.is_empty());
    assert!(
        receiver.taken().is_empty(),
        "nothing is sent for a refused message"
    );
    set_revoked(&stack, creator, &id, false).await;
    let reply = eventually(
        "the message is answered on a retry",
        Duration::from_secs(20),
        || async { receiver.taken().into_iter().next() },
    )
    .await;
    assert_eq!(reply.json()["conversation"], "c-refused");
}
