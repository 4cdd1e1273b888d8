//! One answer, from the question to the last event in the log.

use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::client::{AiEngine, AnswerEvent, Refusal};
use crate::events::{EventLog, LogError};
use crate::protocol::{ErrorCode, EventKind, ServerEvent};

/// A client's message to answer.
#[derive(Debug, Clone)]
pub struct Job {
    /// The client (the conversation's owner).
    pub owner: Uuid,
    /// The client's message id.
    pub message_id: Uuid,
    /// The conversation to continue; a new one when `None`.
    pub conversation: Option<Uuid>,
    /// The question.
    pub text: String,
    /// The client's credential, forwarded to the AI Engine.
    pub credential: Arc<str>,
    /// The request id of the connection, for the logs of both services.
    pub request_id: Arc<str>,
}

/// What the connection that asked needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The answer is in `conversation` from event `from_seq` on: follow it.
    Follow {
        /// The conversation.
        conversation: Uuid,
        /// The `seq` of the message's `ack`.
        from_seq: u64,
    },
    /// A repeated message id was acknowledged by its first copy: send that `ack` again.
    Reack {
        /// The conversation of the first copy.
        conversation: Uuid,
        /// Its `ack`.
        ack: crate::events::Published,
    },
    /// The message was not accepted; the client is told with `event`.
    Refused {
        /// An `error` event of the connection.
        event: ServerEvent,
        /// The credential was refused: close the connection after the event.
        close: bool,
    },
}

/// Answers `job`: asks the AI Engine and appends every event of the answer to the log,
/// whether or not the connection that asked is still there.
pub async fn run(engine: AiEngine, log: EventLog, job: Job, notices: mpsc::Sender<Notice>) {
    let asked = engine
        .ask(
            &job.credential,
            &job.request_id,
            &job.text,
            job.conversation,
        )
        .await;
    let events = match asked {
        Ok(events) => events,
        Err(refusal) => return refuse(&log, &job, refusal, &notices).await,
    };
    let mut events = std::pin::pin!(events);
    let mut answer = Answer::default();
    while let Some(item) = events.next().await {
        if let Err(e) = answer.take(&log, &job, item, &notices).await {
            let _ = log.release(job.owner, job.message_id).await;
            return lost(&job, &e, &notices);
        }
    }
    answer.end(&log, &job).await;
}

/// Where an answer stands.
#[derive(Default)]
struct Answer {
    conversation: Option<Uuid>,
    finished: bool,
    /// The answer ended in an `error` rather than `done` or a handoff.
    failed: bool,
}

impl Answer {
    /// After the last event: an answer that stopped without `done` says so in its log, and a
    /// failed one releases its message id. "Send the message again" must work with the same id:
    /// an id is answered once only when it was answered.
    async fn end(mut self, log: &EventLog, job: &Job) {
        if let (Some(id), false) = (self.conversation, self.finished) {
            let broke_off = Refusal {
                code: ErrorCode::Unavailable,
                detail: "the answer broke off; send the message again".into(),
            };
            let _ = log.append(job.owner, id, &error(broke_off)).await;
            self.failed = true;
        }
        if self.failed {
            let _ = log.release(job.owner, job.message_id).await;
        }
    }

    /// Keeps one event of the answer.
    async fn take(
        &mut self,
        log: &EventLog,
        job: &Job,
        item: Result<AnswerEvent, Refusal>,
        notices: &mpsc::Sender<Notice>,
    ) -> Result<(), LogError> {
        let kind = match (item, self.conversation) {
            (Ok(AnswerEvent::Start(id)), _) => {
                start(log, job, id, notices).await?;
                self.conversation = Some(id);
                return Ok(());
            }
            (Ok(AnswerEvent::Event(kind)), _) => kind,
            (Err(refusal), _) => error(refusal),
        };
        let Some(id) = self.conversation else {
            return Ok(());
        };
        // A `handoff` ends the answer too: the coach answers this conversation, the AI does not.
        self.finished = matches!(
            kind,
            EventKind::Done { .. } | EventKind::Error { .. } | EventKind::Handoff { .. }
        );
        self.failed = matches!(kind, EventKind::Error { .. });
        log.append(job.owner, id, &kind).await.map(drop)
    }
}

/// The question is stored in `conversation`: acknowledge it there, tell the connection, and
/// show that an answer is being written.
async fn start(
    log: &EventLog,
    job: &Job,
    conversation: Uuid,
    notices: &mpsc::Sender<Notice>,
) -> Result<(), LogError> {
    let ack = log
        .append(
            job.owner,
            conversation,
            &EventKind::Ack { id: job.message_id },
        )
        .await?;
    log.acked(job.owner, job.message_id, conversation, &ack)
        .await?;
    let _ = notices.try_send(Notice::Follow {
        conversation,
        from_seq: ack.seq,
    });
    log.append(job.owner, conversation, &EventKind::Typing)
        .await
        .map(drop)
}

async fn refuse(log: &EventLog, job: &Job, refusal: Refusal, notices: &mpsc::Sender<Notice>) {
    let _ = log.release(job.owner, job.message_id).await;
    let close = refusal.code == ErrorCode::Unauthorized;
    let detail = format!("message {}: {}", job.message_id, refusal.detail);
    let event = ServerEvent::connection(error(Refusal { detail, ..refusal }));
    let _ = notices.send(Notice::Refused { event, close }).await;
}

fn lost(job: &Job, e: &LogError, notices: &mpsc::Sender<Notice>) {
    tracing::error!(error = %e, message = %job.message_id, "an answer could not be kept");
    let event = ServerEvent::connection(EventKind::Error {
        code: ErrorCode::Unavailable,
        detail: format!(
            "message {}: the answer could not be kept; send it again",
            job.message_id
        ),
    });
    let _ = notices.try_send(Notice::Refused {
        event,
        close: false,
    });
}

fn error(refusal: Refusal) -> EventKind {
    let detail: String = refusal
        .detail
        .chars()
        .take(crate::protocol::MAX_DETAIL_CHARS)
        .collect();
    EventKind::Error {
        code: refusal.code,
        detail,
    }
}
