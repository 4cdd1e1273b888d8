//! The stack a messaging test runs against and the receivers that stand for the destinations.

#[allow(dead_code)]
#[path = "../../ws/support/channel.rs"]
pub mod channel;
pub mod receiver;
#[allow(dead_code)]
#[path = "../../ws/support/served.rs"]
pub mod served;
pub mod stack;

use std::time::{Duration, Instant};

/// A Telegram update carrying a private text message `text` in `chat`.
pub fn telegram_update(update_id: i64, chat: i64, text: &str) -> Vec<u8> {
    serde_json::json!({
        "update_id": update_id,
        "message": {"message_id": update_id, "chat": {"id": chat, "type": "private"}, "text": text}
    })
    .to_string()
    .into_bytes()
}

/// Polls `check` until it returns `Some`, failing with `what` after `within`.
pub async fn eventually<T, F, Fut>(what: &str, within: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
