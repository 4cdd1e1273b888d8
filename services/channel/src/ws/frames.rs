//! What a connection does with each client frame, answer notice and delivery.

use axum::extract::ws::Message;
use tokio::time::Instant;
use uuid::Uuid;

use super::connection::{Connection, Step};
use crate::answer::{self, Job, Notice};
use crate::events::{Claim, Published};
use crate::protocol::{
    ClientFrame, Close, ErrorCode, EventKind, MessageText, ProtocolError, ServerEvent,
    parse_client_frame,
};

impl Connection {
    pub(super) async fn on_frame(&mut self, frame: Message) -> Step {
        self.last_heard = Instant::now();
        match frame {
            Message::Text(text) => self.on_text(text.as_str()).await,
            Message::Binary(_) => self.send_event(&ProtocolError::Binary.event()).await,
            Message::Ping(_) | Message::Pong(_) => Step::Continue,
            Message::Close(_) => Step::Gone,
        }
    }

    async fn on_text(&mut self, text: &str) -> Step {
        match parse_client_frame(text) {
            Err(error) => self.refuse(&error).await,
            Ok(ClientFrame::Ping {}) => {
                self.send_event(&ServerEvent::connection(EventKind::Pong))
                    .await
            }
            Ok(ClientFrame::Message {
                id,
                conversation_id,
                text,
            }) => match self.rate.try_take(Instant::now().into_std()) {
                Ok(()) => self.on_message(id, conversation_id, text).await,
                Err(error) => self.refuse(&error).await,
            },
            Ok(ClientFrame::Resume {
                conversation_id,
                last_seq,
            }) => self.resume(conversation_id, last_seq).await,
            Ok(ClientFrame::RequestCoach { conversation_id }) => {
                self.request_coach(conversation_id).await
            }
        }
    }

    async fn refuse(&mut self, error: &ProtocolError) -> Step {
        let step = self.send_event(&error.event()).await;
        match (step, error.close()) {
            (Step::Continue, Some(close)) => Step::Close(close),
            (step, _) => step,
        }
    }

    async fn on_message(
        &mut self,
        id: Uuid,
        conversation: Option<Uuid>,
        text: MessageText,
    ) -> Step {
        let user = self.session.user;
        let claim = match self.channel.log.claim(user, id).await {
            Ok(claim) => claim,
            Err(e) => return self.unavailable(&e.to_string()).await,
        };
        let notify = self.lanes().notify.clone();
        match claim {
            Claim::New => {
                let job = Job {
                    owner: user,
                    message_id: id,
                    conversation,
                    text: text.into(),
                    credential: self.session.credential.clone(),
                    request_id: self.session.request_id.clone(),
                };
                let channel = self.channel.clone();
                tokio::spawn(answer::run(
                    channel.engine.clone(),
                    channel.log.clone(),
                    job,
                    notify,
                ));
                Step::Continue
            }
            Claim::Pending => {
                tokio::spawn(super::pending::await_ack(
                    self.channel.log.clone(),
                    user,
                    id,
                    notify,
                ));
                Step::Continue
            }
            Claim::Acked { conversation, ack } => self.reack(conversation, &ack).await,
        }
    }

    /// Sends the first copy's `ack` again and follows its conversation.
    pub(super) async fn reack(&mut self, conversation: Uuid, ack: &Published) -> Step {
        if let Step::Continue = self.send_text(&ack.frame).await {
            self.follow(conversation, ack.seq).await
        } else {
            Step::Gone
        }
    }

    pub(super) async fn on_notice(&mut self, notice: Notice) -> Step {
        match notice {
            Notice::Follow {
                conversation,
                from_seq,
            } => self.follow(conversation, from_seq.saturating_sub(1)).await,
            Notice::Reack { conversation, ack } => self.reack(conversation, &ack).await,
            Notice::Refused { event, close } => match self.send_event(&event).await {
                Step::Continue if close => Step::Close(Close::CREDENTIAL_REFUSED),
                step => step,
            },
        }
    }

    async fn resume(&mut self, conversation: Uuid, last_seq: u64) -> Step {
        if let Err(refused) =
            super::handshake::verify(&self.channel.core, &self.session.credential).await
        {
            return self.credential_refused(&refused.to_string()).await;
        }
        match super::ownership::owns(&self.channel, &self.session, conversation).await {
            Ok(true) => {}
            Ok(false) => {
                let detail = format!("conversation {conversation} is not one of yours");
                return self.send_error(ErrorCode::NotFound, detail).await;
            }
            Err(e) => return self.unavailable(&e.to_string()).await,
        }
        if let Some(watermark) = self.followed.get_mut(&conversation) {
            *watermark = last_seq;
            return self.catch_up(conversation).await;
        }
        self.follow(conversation, last_seq).await
    }

    /// The connection's credential no longer verifies: say so and close with 1008.
    pub(super) async fn credential_refused(&mut self, detail: &str) -> Step {
        let detail: String = detail
            .chars()
            .take(crate::protocol::MAX_DETAIL_CHARS)
            .collect();
        match self.send_error(ErrorCode::Unauthorized, detail).await {
            Step::Continue => Step::Close(Close::CREDENTIAL_REFUSED),
            step => step,
        }
    }

    pub(super) async fn send_event(&mut self, event: &ServerEvent) -> Step {
        self.send_text(&event.to_json()).await
    }

    pub(super) async fn send_error(&mut self, code: ErrorCode, detail: String) -> Step {
        self.send_event(&ServerEvent::connection(EventKind::Error { code, detail }))
            .await
    }

    pub(super) async fn unavailable(&mut self, detail: &str) -> Step {
        let detail: String = detail
            .chars()
            .take(crate::protocol::MAX_DETAIL_CHARS)
            .collect();
        self.send_error(ErrorCode::Unavailable, detail).await
    }
}
