//! The answers the model never writes. A conversation the coach has taken over is held: the
//! client's message is stored and nothing more (the SSE event `held`). A message that matches
//! the creator's escalation topics or the safety list ([`super::escalation`]) flags the
//! conversation for the coach and is answered with the holding reply, stored as the assistant's
//! message (model `null`) and sent as one `token` and a `done` with `escalated: true`.

use std::time::Instant;

use coachai_common::AppError;
use coachai_common::auth::Principal;
use coachai_common::tenancy::TenantTx;
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::engine::{Ask, ChatEngine, Prepared, elapsed_ms};
use super::escalation::{self, Escalation};
use super::events::{ChatEvent, Done, Timings, Usage};
use super::settings::ChatSettings;
use crate::conversations::{self, ConversationId, MessageMeta, MessageRole};

/// What [`ChatEngine::prepare`] made of a message.
#[derive(Debug)]
pub enum Taken {
    /// The model (or the extractive answer) answers: pass it to [`ChatEngine::answer`].
    Answer(Box<Prepared>),
    /// The model does not answer.
    Held(Held),
}

/// A message the model does not answer.
#[derive(Debug, Clone)]
pub struct Held {
    /// The conversation; the client's message is stored in it.
    pub conversation: ConversationId,
    /// Why.
    pub reason: HoldReason,
    /// When the request started.
    pub started: Instant,
}

/// Why the model does not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldReason {
    /// The coach has taken the conversation over: no answer at all.
    Coach,
    /// The message was escalated: the holding reply, already stored as `message_id`.
    Escalated {
        /// The stored holding reply.
        message_id: Uuid,
        /// Its text.
        reply: String,
    },
}

impl ChatEngine {
    /// Stores the client's message of an escalated `ask` and flags its conversation; stores the
    /// holding reply too unless the coach already handles the conversation. One transaction.
    pub(super) async fn escalate(
        &self,
        principal: &Principal,
        ask: &Ask,
        settings: &ChatSettings,
        escalation: &Escalation,
        started: Instant,
    ) -> Result<Held, AppError> {
        let mut tx = self.db.begin_for(principal.creator_id).await?;
        let conversation =
            conversations::start_or_continue(&mut tx, principal, ask.conversation).await?;
        let coach_handles = conversations::handled_by_coach(&mut tx, conversation).await?;
        let meta = MessageMeta::default();
        conversations::append_message(
            &mut tx,
            conversation,
            MessageRole::User,
            &ask.message,
            &meta,
        )
        .await?;
        conversations::flag_escalation(&mut tx, conversation).await?;
        let reason = if coach_handles {
            HoldReason::Coach
        } else {
            let reply = escalation::holding_reply(settings.coach(), escalation);
            let message_id = conversations::append_message(
                &mut tx,
                conversation,
                MessageRole::Assistant,
                &reply,
                &meta,
            )
            .await?;
            HoldReason::Escalated { message_id, reply }
        };
        tx.commit().await?;
        metrics::counter!("coachai_chat_escalations_total", "safety" => escalation.safety.to_string())
            .increment(1);
        Ok(Held {
            conversation,
            reason,
            started,
        })
    }
}

impl Held {
    /// A conversation the coach handles; the client's message is stored.
    pub(super) fn coach(conversation: ConversationId, started: Instant) -> Self {
        Self {
            conversation,
            reason: HoldReason::Coach,
            started,
        }
    }

    /// Sends the holding reply of an escalated message (`token`, then `done` with
    /// `escalated: true`); nothing for a coach-handled conversation.
    pub async fn send(self, sink: Sender<ChatEvent>) {
        let HoldReason::Escalated { message_id, reply } = self.reason else {
            return;
        };
        let tokens = u64::from(super::budget::estimate_tokens(&reply));
        if sink.send(ChatEvent::Token(reply)).await.is_err() {
            return;
        }
        let total_ms = elapsed_ms(self.started);
        let done = Done {
            conversation_id: self.conversation.uuid(),
            message_id,
            sources: Vec::new(),
            model: None,
            model_fell_back: false,
            prompt_version: None,
            template: None,
            degraded: false,
            degraded_reason: None,
            escalated: true,
            usage: Usage {
                prompt_tokens: 0,
                completion_tokens: tokens,
            },
            timings: Timings {
                prepare_ms: total_ms,
                first_token_ms: total_ms,
                total_ms,
            },
        };
        let _ = sink.send(ChatEvent::Done(Box::new(done))).await;
    }
}

/// Stores the client's message in a conversation the coach handles, and holds it.
pub(super) async fn coach_holds(
    mut tx: TenantTx,
    conversation: ConversationId,
    ask: &Ask,
    started: Instant,
) -> Result<Held, AppError> {
    let meta = MessageMeta::default();
    conversations::append_message(
        &mut tx,
        conversation,
        MessageRole::User,
        &ask.message,
        &meta,
    )
    .await?;
    tx.commit().await?;
    Ok(Held::coach(conversation, started))
}
