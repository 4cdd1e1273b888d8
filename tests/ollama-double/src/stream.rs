//! NDJSON response streams, paced line by line, that notice when the client goes away.

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};

use crate::state::Shared;

/// Pause before an injected mid-stream reset.
const FLUSH_BEFORE_RESET: Duration = Duration::from_millis(50);

/// How a stream ended, for the double's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    Completed,
    Cancelled,
    Aborted,
}

/// Counts the stream as active while it lives; its drop says how it ended.
struct Guard {
    shared: Arc<Shared>,
    ending: Ending,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.stream_ended(self.ending);
    }
}

/// Runs once, just before the last line goes out (e.g. a pull installs its model).
pub(crate) type OnLast = Box<dyn FnOnce() + Send>;

/// How a stream is paced and whether it breaks.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pace {
    /// Wait before each line.
    pub(crate) interval: Duration,
    /// Reset the connection instead of sending line number `n` (0-based).
    pub(crate) reset_after: Option<usize>,
}

struct State {
    lines: VecDeque<serde_json::Value>,
    pace: Pace,
    sent: usize,
    on_last: Option<OnLast>,
    guard: Guard,
}

/// A `200 application/x-ndjson` response sending `lines` one per `pace.interval`; a
/// `created_at` field is stamped when its line goes out.
///
/// When the client disconnects, the server drops the body before its last line and the
/// double counts a cancelled stream.
pub(crate) fn ndjson(
    shared: Arc<Shared>,
    lines: Vec<serde_json::Value>,
    pace: Pace,
    on_last: Option<OnLast>,
) -> Response {
    shared.stream_started();
    let guard = Guard {
        shared,
        ending: Ending::Cancelled,
    };
    let state = State {
        lines: lines.into(),
        pace,
        sent: 0,
        on_last,
        guard,
    };
    let stream = futures::stream::unfold(state, next_line);
    (
        [(CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn next_line(mut state: State) -> Option<(io::Result<Bytes>, State)> {
    let mut line = state.lines.pop_front()?;
    if !state.pace.interval.is_zero() {
        tokio::time::sleep(state.pace.interval).await;
    }
    if state.pace.reset_after == Some(state.sent) {
        // Give hyper time to flush the lines already yielded: an error before the flush
        // would discard them with the headers.
        tokio::time::sleep(FLUSH_BEFORE_RESET).await;
        state.lines.clear();
        state.guard.ending = Ending::Aborted;
        let reset = io::Error::new(io::ErrorKind::ConnectionReset, "injected mid-stream reset");
        return Some((Err(reset), state));
    }
    state.sent += 1;
    if state.lines.is_empty() {
        if let Some(on_last) = state.on_last.take() {
            on_last();
        }
        state.guard.ending = Ending::Completed;
    }
    if line.get("created_at").is_some() {
        line["created_at"] = serde_json::Value::String(crate::routes::now());
    }
    Some((Ok(to_line(&line)), state))
}

/// One NDJSON line: compact JSON and a newline.
fn to_line(value: &serde_json::Value) -> Bytes {
    let mut line = value.to_string().into_bytes();
    line.push(b'\n');
    Bytes::from(line)
}
