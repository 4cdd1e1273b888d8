//! Steps both tests take: asking over the chat and reading what an answer cites.

use anyhow::{Context, bail, ensure};
use coachai_journey_tests::{Answer, Chat};
use serde_json::Value;
use uuid::Uuid;

use crate::world::EVENT_WAIT;

/// Sends `text` (a new message id) and reads to its `done` or `error`.
pub async fn ask(
    chat: &mut Chat,
    conversation: Option<&str>,
    text: &str,
) -> anyhow::Result<Answer> {
    let id = Uuid::new_v4();
    chat.send_message(id, conversation, text).await?;
    Ok(chat.answer(EVENT_WAIT).await?)
}

/// The `done` event of an answer that must have completed, after an `ack`, with tokens.
pub fn completed(answer: &Answer) -> anyhow::Result<&Value> {
    let Some(done) = answer.done() else {
        bail!("the answer did not complete: {:#?}", answer.events);
    };
    ensure!(
        answer.of_type("ack").count() == 1,
        "no single ack: {:#?}",
        answer.events
    );
    ensure!(
        answer.of_type("token").count() > 0,
        "no token streamed before done: {:#?}",
        answer.events
    );
    Ok(done)
}

/// The sources of a `done` event.
pub fn sources(done: &Value) -> anyhow::Result<&Vec<Value>> {
    done["sources"]
        .as_array()
        .with_context(|| format!("done without sources: {done}"))
}

/// The source of `content_id` in `done`, which must be there.
pub fn cited<'a>(done: &'a Value, content_id: &str) -> anyhow::Result<&'a Value> {
    sources(done)?
        .iter()
        .find(|s| s["content_id"] == content_id)
        .with_context(|| format!("content {content_id} is not cited: {done}"))
}

/// Whether `done` cites `content_id` at all.
pub fn cites(done: &Value, content_id: &str) -> bool {
    sources(done).is_ok_and(|s| s.iter().any(|s| s["content_id"] == content_id))
}
