//! The end of an answer: the model's answer or the extractive one stored as the coach's message
//! (with its sources, model, template and whether it degraded), then the `done` event.

use std::time::Instant;

use coachai_common::AppError;
use tokio::sync::mpsc::Sender;
use uuid::Uuid;

use super::engine::{ChatEngine, Prepared, elapsed_ms};
use super::events::{ChatEvent, Done, Timings, Usage};
use super::passages::{Source, extractive_answer};
use crate::conversations::{self, MessageMeta, MessageRole};
use crate::registry::ResolvedModel;

/// An answer on its way.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    /// The text so far.
    pub text: String,
    /// Ollama's token counts.
    pub usage: Usage,
    /// The model that answers; `None` for an extractive answer.
    pub model: Option<String>,
    /// Whether it is the fallback model.
    pub model_fell_back: bool,
    /// When the request started.
    pub started: Instant,
    /// When the first token was sent.
    pub first_token_ms: Option<u64>,
}

impl Answer {
    /// An empty answer of `model`.
    pub fn new(model: &ResolvedModel, prepared: &Prepared) -> Self {
        Self {
            text: String::new(),
            usage: Usage::default(),
            model: Some(model.name.clone()),
            model_fell_back: model.fell_back,
            started: prepared.started,
            first_token_ms: None,
        }
    }

    /// Notes the first token's time.
    pub fn first_token(&mut self) {
        if self.first_token_ms.is_none() {
            self.first_token_ms = Some(elapsed_ms(self.started));
        }
    }
}

impl ChatEngine {
    /// Stores the model's answer and sends `done`.
    pub(super) async fn finish(
        &self,
        prepared: &Prepared,
        answer: Answer,
        sink: &Sender<ChatEvent>,
    ) {
        metrics::counter!("coachai_chat_answers_total", "mode" => "model").increment(1);
        self.store_and_done(prepared, answer, prepared.degraded.clone(), sink)
            .await;
    }

    /// Answers from the passages alone, says so, and sends `done` with `degraded`.
    pub(super) async fn extractive(
        &self,
        prepared: &Prepared,
        reason: String,
        sink: &Sender<ChatEvent>,
    ) {
        metrics::counter!("coachai_chat_answers_total", "mode" => "extractive").increment(1);
        let text = extractive_answer(prepared.settings.coach(), &prepared.passages);
        let mut answer = Answer {
            text: text.clone(),
            usage: Usage {
                prompt_tokens: 0,
                completion_tokens: u64::from(super::budget::estimate_tokens(&text)),
            },
            model: None,
            model_fell_back: false,
            started: prepared.started,
            first_token_ms: None,
        };
        answer.first_token();
        if sink.send(ChatEvent::Token(text)).await.is_err() {
            return;
        }
        let reason = match &prepared.degraded {
            Some(retrieval) => format!("{reason}; {retrieval}"),
            None => reason,
        };
        self.store_and_done(prepared, answer, Some(reason), sink)
            .await;
    }

    async fn store_and_done(
        &self,
        prepared: &Prepared,
        answer: Answer,
        degraded: Option<String>,
        sink: &Sender<ChatEvent>,
    ) {
        let sources: Vec<Source> = prepared.passages.iter().map(Source::from).collect();
        let event = match self
            .store(prepared, &answer, &sources, degraded.is_some())
            .await
        {
            Ok(message_id) => ChatEvent::Done(Box::new(Done {
                conversation_id: prepared.conversation.uuid(),
                message_id,
                sources,
                model: answer.model,
                model_fell_back: answer.model_fell_back,
                prompt_version: prepared.prompt.template.version,
                template: Some(prepared.prompt.template.clone()),
                degraded: degraded.is_some(),
                degraded_reason: degraded,
                escalated: false,
                usage: answer.usage,
                timings: Timings {
                    prepare_ms: prepared.prepare_ms,
                    first_token_ms: answer.first_token_ms.unwrap_or_default(),
                    total_ms: elapsed_ms(prepared.started),
                },
            })),
            Err(err) => ChatEvent::Error(err.problem()),
        };
        let _ = sink.send(event).await;
    }

    async fn store(
        &self,
        prepared: &Prepared,
        answer: &Answer,
        sources: &[Source],
        degraded: bool,
    ) -> Result<Uuid, AppError> {
        let meta = MessageMeta {
            model: answer.model.clone(),
            template_id: None,
            template_version: prepared.prompt.template.version,
            degraded,
            sources: serde_json::to_value(sources).map_err(AppError::internal)?,
        };
        let mut tx = self.db.begin_for(prepared.principal.creator_id).await?;
        let id = conversations::append_message(
            &mut tx,
            prepared.conversation,
            MessageRole::Assistant,
            &answer.text,
            &meta,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
