//! A repeated message id whose first copy is still being accepted (its claim is `pending`):
//! wait for the first copy's `ack`, then acknowledge the repeat with it.

use std::time::Duration;

use tokio::sync::mpsc;
use uuid::Uuid;

use crate::answer::Notice;
use crate::events::{Claim, EventLog};
use crate::protocol::{ErrorCode, EventKind, ServerEvent};

/// How often the claim is read again.
const POLL: Duration = Duration::from_millis(100);
/// How long the first copy may take to be accepted (the AI Engine's own limit is 30 s).
const PATIENCE: Duration = Duration::from_secs(35);

/// Waits for `user`'s message `id` to be acknowledged and tells the connection through
/// `notify`; tells it to send again if the first copy was refused.
pub async fn await_ack(log: EventLog, user: Uuid, id: Uuid, notify: mpsc::Sender<Notice>) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        match log.claim_of(user, id).await {
            Ok(Some(Claim::Acked { conversation, ack })) => {
                let _ = notify.send(Notice::Reack { conversation, ack }).await;
                return;
            }
            Ok(None) => break,
            Ok(Some(_)) | Err(_) => tokio::time::sleep(POLL).await,
        }
    }
    let event = ServerEvent::connection(EventKind::Error {
        code: ErrorCode::Unavailable,
        detail: format!("message {id} was not accepted; send it again"),
    });
    let _ = notify
        .send(Notice::Refused {
            event,
            close: false,
        })
        .await;
}
