//! The second half of an answer: the model's tokens streamed into the answer's events as they
//! arrive, or, when the model cannot answer before its deadline (or the breaker is open), an
//! extractive answer from the passages; then the answer stored and the `done` event. A client
//! that goes away closes the event channel, which drops the Ollama stream and so cancels it.

use std::sync::Arc;

use futures::StreamExt;
use ollama_rs::generation::chat::ChatMessageResponseStream;
use ollama_rs::generation::chat::request::ChatMessageRequest;
use ollama_rs::models::ModelOptions;
use tokio::sync::mpsc::Sender;

use super::engine::{ChatEngine, Prepared};
use super::events::{ChatEvent, Usage};
use super::finish::Answer;
use crate::registry::ResolvedModel;

/// What became of asking the model.
enum Generation {
    /// The model answered in full.
    Answered(Answer),
    /// The model could not be had before any token was sent: answer extractively.
    Unavailable(String),
    /// The model failed after tokens were sent.
    Broken(String),
    /// The client went away.
    Cancelled,
}

impl ChatEngine {
    /// Streams the answer of `prepared` into `sink`, ending with `done` or `error`.
    pub async fn answer(self: Arc<Self>, prepared: Prepared, sink: Sender<ChatEvent>) {
        let generation = match prepared.model.clone() {
            Some(model) if self.breaker.allow() => self.generate(&prepared, &model, &sink).await,
            Some(_) => Generation::Unavailable("the chat model is not answering".into()),
            None => Generation::Unavailable("Ollama is unavailable".into()),
        };
        match generation {
            Generation::Answered(answer) => self.finish(&prepared, answer, &sink).await,
            Generation::Unavailable(reason) => self.extractive(&prepared, reason, &sink).await,
            Generation::Broken(reason) => broken(&sink, reason).await,
            Generation::Cancelled => metrics::counter!("coachai_chat_cancelled_total").increment(1),
        }
    }

    async fn generate(
        &self,
        prepared: &Prepared,
        model: &ResolvedModel,
        sink: &Sender<ChatEvent>,
    ) -> Generation {
        let budget = prepared.prompt.budget;
        let options = ModelOptions::default()
            .num_ctx(u64::from(budget.num_ctx))
            .num_predict(i32::try_from(budget.answer).unwrap_or(i32::MAX));
        let request = ChatMessageRequest::new(model.name.clone(), prepared.prompt.messages())
            .options(options);
        let deadline = tokio::time::Instant::now() + self.options.first_token;
        let opened = tokio::time::timeout_at(
            deadline,
            self.generator.raw().send_chat_messages_stream(request),
        )
        .await;
        let stream = match opened {
            Ok(Ok(stream)) => stream,
            Ok(Err(err)) => {
                return self.unavailable(crate::ollama::classify(&model.name, err).to_string());
            }
            Err(_) => return self.unavailable(self.late()),
        };
        let mut answer = Answer::new(model, prepared);
        match self.relay(stream, deadline, &mut answer, sink).await {
            Ok(()) => {
                self.breaker.success();
                Generation::Answered(answer)
            }
            Err(generation) => generation,
        }
    }

    /// Forwards the stream's tokens until its last chunk.
    async fn relay(
        &self,
        mut stream: ChatMessageResponseStream,
        deadline: tokio::time::Instant,
        answer: &mut Answer,
        sink: &Sender<ChatEvent>,
    ) -> Result<(), Generation> {
        loop {
            let next = async {
                if answer.text.is_empty() {
                    tokio::time::timeout_at(deadline, stream.next()).await.ok()
                } else {
                    Some(stream.next().await)
                }
            };
            let item = tokio::select! {
                () = sink.closed() => return Err(Generation::Cancelled),
                item = next => item,
            };
            let chunk = match item {
                None => return Err(self.stopped(answer, self.late())),
                Some(None) | Some(Some(Err(()))) => {
                    return Err(self.stopped(answer, "the model stopped answering".into()));
                }
                Some(Some(Ok(chunk))) => chunk,
            };
            if !chunk.message.content.is_empty() {
                answer.first_token();
                answer.text.push_str(&chunk.message.content);
                if sink
                    .send(ChatEvent::Token(chunk.message.content))
                    .await
                    .is_err()
                {
                    return Err(Generation::Cancelled);
                }
            }
            if let Some(data) = chunk.final_data {
                answer.usage = Usage {
                    prompt_tokens: data.prompt_eval_count,
                    completion_tokens: data.eval_count,
                };
                return Ok(());
            }
        }
    }

    /// A failure before the first token makes the answer extractive; after it, an error.
    fn stopped(&self, answer: &Answer, reason: String) -> Generation {
        self.breaker.failure();
        if answer.text.is_empty() {
            Generation::Unavailable(reason)
        } else {
            Generation::Broken(reason)
        }
    }

    fn unavailable(&self, reason: String) -> Generation {
        self.breaker.failure();
        Generation::Unavailable(reason)
    }

    fn late(&self) -> String {
        format!(
            "the chat model gave no answer within {} s",
            self.options.first_token.as_secs()
        )
    }
}

async fn broken(sink: &Sender<ChatEvent>, reason: String) {
    let problem = coachai_common::AppError::Unavailable(reason).problem();
    let _ = sink.send(ChatEvent::Error(problem)).await;
}
