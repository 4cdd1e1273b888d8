//! The prompt of one answer, fitted into the model's window: the template rendered once bare to
//! measure the instructions, then with the passages and recent turns that fit (see
//! [`super::budget`]); older turns become one summary line. `num_ctx` is always sent, so
//! Ollama never truncates silently.

use coachai_common::AppError;
use coachai_common::cache::Cache;
use coachai_common::tenancy::TenantTx;
use ollama_rs::generation::chat::ChatMessage;

use super::budget::{self, Budget, estimate_tokens};
use super::passages::{Passage, location_label, snippet};
use crate::conversations::{MessageRole, Turn};
use crate::prompts::{self, ChatContext, TemplateUsed, render_chat_prompt};
use crate::registry::ResolvedModel;

/// The window assumed for a model whose context length Ollama did not report.
const UNKNOWN_CONTEXT: u32 = 2048;
/// Tokens added per passage and per turn for labels and separators.
const OVERHEAD: u32 = 12;

/// A rendered prompt that fits, with what it holds.
#[derive(Debug, Clone)]
pub struct FittedPrompt {
    /// The system message (instructions, persona, material).
    pub system: String,
    /// Earlier turns kept verbatim, oldest first.
    pub turns: Vec<Turn>,
    /// One line standing for the turns before them.
    pub summary: Option<String>,
    /// The client's message.
    pub user: String,
    /// The template used.
    pub template: TemplateUsed,
    /// The window sent as `num_ctx`.
    pub budget: Budget,
    /// Estimated prompt tokens.
    pub prompt_tokens: u32,
    kept: Vec<usize>,
}

impl FittedPrompt {
    /// The passages the prompt holds, best first.
    pub fn kept(&self, offered: &[Passage]) -> Vec<Passage> {
        self.kept
            .iter()
            .filter_map(|&i| offered.get(i).cloned())
            .collect()
    }

    /// The messages sent to Ollama.
    pub fn messages(&self) -> Vec<ChatMessage> {
        let mut messages = vec![ChatMessage::system(self.system.clone())];
        if let Some(summary) = &self.summary {
            messages.push(ChatMessage::system(summary.clone()));
        }
        for turn in &self.turns {
            messages.push(match turn.role {
                // The coach's replies are answers the client received: the model sees them as
                // its own earlier turns, so it continues the conversation consistently.
                MessageRole::Assistant | MessageRole::Coach => {
                    ChatMessage::assistant(turn.body.clone())
                }
                MessageRole::User | MessageRole::System => ChatMessage::user(turn.body.clone()),
            });
        }
        messages.push(ChatMessage::user(self.user.clone()));
        messages
    }
}

/// The window of `model` (or of an unknown one), capped at `cap`.
pub fn window(model: Option<&ResolvedModel>, cap: u32) -> Budget {
    let length = model
        .and_then(|m| m.context_length)
        .unwrap_or(UNKNOWN_CONTEXT);
    Budget::for_model(length, cap)
}

/// Renders the chat template with what fits of `passages` (best first) and `history` (oldest
/// first). 413 when the instructions and the message alone do not fit.
pub async fn fit(
    tx: &mut TenantTx,
    cache: &Cache,
    window: Budget,
    question: &str,
    passages: &[Passage],
    history: &[Turn],
) -> Result<FittedPrompt, AppError> {
    let bare = render(tx, cache, question, Vec::new()).await?;
    let fixed = estimate_tokens(&bare.system) + estimate_tokens(&bare.user) + OVERHEAD;
    let passage_costs: Vec<u32> = passages
        .iter()
        .map(|p| estimate_tokens(&p.title) + estimate_tokens(&p.text) + OVERHEAD)
        .collect();
    let turn_costs: Vec<u32> = history
        .iter()
        .map(|t| estimate_tokens(&t.body) + 4)
        .collect();
    let chosen = budget::fit(window, fixed, &passage_costs, &turn_costs)
        .map_err(|e| AppError::PayloadTooLarge(format!("the message is too long: {e}")))?;
    let material = chosen
        .passages
        .iter()
        .map(|&i| for_template(&passages[i]))
        .collect();
    let rendered = render(tx, cache, question, material).await?;
    Ok(FittedPrompt {
        system: rendered.system,
        turns: chosen.turns.iter().map(|&i| history[i].clone()).collect(),
        summary: summary(chosen.summarised.iter().map(|&i| &history[i])),
        user: rendered.user,
        template: rendered.template,
        budget: window,
        prompt_tokens: chosen.prompt_tokens,
        kept: chosen.passages,
    })
}

async fn render(
    tx: &mut TenantTx,
    cache: &Cache,
    question: &str,
    passages: Vec<prompts::Passage>,
) -> Result<prompts::RenderedPrompt, AppError> {
    let chat = ChatContext {
        question: question.to_owned(),
        passages,
        history: Vec::new(),
    };
    Ok(render_chat_prompt(tx, cache, &chat).await?)
}

fn for_template(passage: &Passage) -> prompts::Passage {
    prompts::Passage {
        title: passage.title.clone(),
        location: location_label(&passage.location),
        text: passage.text.clone(),
    }
}

/// "Earlier in this conversation the client asked: …; …." from the clients' turns.
fn summary<'a>(turns: impl Iterator<Item = &'a Turn>) -> Option<String> {
    let asked: Vec<String> = turns
        .filter(|t| t.role == MessageRole::User)
        .map(|t| snippet(&t.body, 80))
        .collect();
    if asked.is_empty() {
        return None;
    }
    Some(snippet(
        &format!(
            "Earlier in this conversation the client asked: {}.",
            asked.join("; ")
        ),
        600,
    ))
}

#[cfg(test)]
mod tests {
    use ollama_rs::generation::chat::MessageRole as OllamaRole;

    use super::*;
    use crate::prompts::Source;

    fn turn(role: MessageRole, body: &str) -> Turn {
        Turn {
            role,
            body: body.to_owned(),
        }
    }

    #[test]
    fn the_coachs_replies_reach_the_model_as_its_own_earlier_turns() {
        let prompt = FittedPrompt {
            system: "You are Dee.".into(),
            turns: vec![
                turn(MessageRole::User, "I hurt my knee"),
                turn(
                    MessageRole::Coach,
                    "Rest it this week; I'll check in Friday.",
                ),
            ],
            summary: None,
            user: "Can I swing today?".into(),
            template: TemplateUsed {
                name: "chat".into(),
                version: None,
                source: Source::Builtin,
                fell_back_from: None,
            },
            budget: Budget::for_model(2048, 4096),
            prompt_tokens: 0,
            kept: Vec::new(),
        };
        let roles: Vec<OllamaRole> = prompt.messages().into_iter().map(|m| m.role).collect();
        assert_eq!(
            roles,
            [
                OllamaRole::System,
                OllamaRole::User,
                OllamaRole::Assistant,
                OllamaRole::User
            ]
        );
    }
}
