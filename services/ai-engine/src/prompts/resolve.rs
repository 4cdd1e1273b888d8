//! Which template a chat uses and what it renders: the creator's active version, else the
//! active global default, else the built-in. When the chosen one fails to render, the creator's
//! previously active version is tried, then the built-in; the answer records what was used
//! and what failed. The candidate bodies are cached per creator and template.

use std::time::Duration;

use coachai_common::cache::Cache;
use coachai_common::{CreatorId, TenantTx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::{ChatContext, CreatorFacts, template_context};
use super::error::PromptError;
use super::render::{self, TemplateError};
use super::{BUILTIN_CHAT, CHAT, store};

/// How long the candidates of a template are served from the cache (writes invalidate them).
pub const CANDIDATES_TTL: Duration = Duration::from_secs(300);

/// Where a template body comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The creator's own override.
    Creator,
    /// The platform's default for every creator.
    Global,
    /// The default compiled into the AI Engine.
    Builtin,
    /// An unsaved body sent to the preview.
    Draft,
}

/// A body a render may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Where it comes from.
    pub source: Source,
    /// Its version (none for the built-in and drafts).
    pub version: Option<i32>,
    /// The Jinja source.
    pub body: String,
}

impl Candidate {
    /// A candidate from `source`.
    pub fn new(source: Source, version: Option<i32>, body: String) -> Self {
        Self {
            source,
            version,
            body,
        }
    }

    /// The built-in `chat` template.
    pub fn builtin() -> Self {
        Self::new(Source::Builtin, None, BUILTIN_CHAT.to_owned())
    }
}

/// The template that was chosen first and why it was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Fallback {
    /// Where the failed template came from.
    pub source: Source,
    /// Its version.
    pub version: Option<i32>,
    /// Why it failed, naming the line when known.
    pub error: String,
}

/// The template a prompt was rendered from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TemplateUsed {
    /// The template's name.
    pub name: String,
    /// The version used (none for the built-in and drafts).
    pub version: Option<i32>,
    /// Where it came from.
    pub source: Source,
    /// Set when the chosen template failed and this one stood in.
    pub fell_back_from: Option<Fallback>,
}

/// The prompt the model receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "system": "You are Ana, the AI coach of Ana Strength.\n...\n<<<MATERIAL>>>\n[1] Hip mobility (Warm-up › Hips)\nStart with ten slow hip circles each way.\n<<<END MATERIAL>>>",
    "user": "How should I warm up my hips?",
    "template": {"name": "chat", "version": 2, "source": "creator", "fell_back_from": null}}))]
pub struct RenderedPrompt {
    /// The system message: instructions, persona and material.
    pub system: String,
    /// The user message: the client's question.
    pub user: String,
    /// Which template produced `system`.
    pub template: TemplateUsed,
}

/// The cache key of the candidates of template `name` (the cache prefixes the creator).
pub fn cache_key(name: &str) -> String {
    format!("prompt-template:{name}")
}

/// Drops the cached candidates of `name`, so the next render reads the database.
pub async fn invalidate(cache: &Cache, creator: CreatorId, name: &str) {
    cache.invalidate(creator, &cache_key(name)).await;
}

/// Renders the first of `chain` that renders (the built-in is appended for `chat`). Pure.
pub fn render_with_fallback(
    name: &str,
    mut chain: Vec<Candidate>,
    facts: &CreatorFacts,
    chat: &ChatContext,
) -> Result<RenderedPrompt, PromptError> {
    if name == CHAT {
        chain.push(Candidate::builtin());
    }
    let context = template_context(facts, chat);
    let mut failures: Vec<(Fallback, TemplateError)> = Vec::new();
    for candidate in chain {
        match render::render(&candidate.body, &context) {
            Ok(system) => {
                let first = failures.into_iter().next().map(|(fallback, _)| fallback);
                return Ok(rendered(name, candidate, system, chat, first));
            }
            Err(err) => failures.push(failed(name, &candidate, err)),
        }
    }
    Err(match failures.pop() {
        Some((_, cause)) => PromptError::NoUsableTemplate {
            name: name.to_owned(),
            cause,
        },
        None => PromptError::UnknownTemplate(name.to_owned()),
    })
}

fn rendered(
    name: &str,
    candidate: Candidate,
    system: String,
    chat: &ChatContext,
    fell_back_from: Option<Fallback>,
) -> RenderedPrompt {
    RenderedPrompt {
        system,
        user: chat.question.trim().to_owned(),
        template: TemplateUsed {
            name: name.to_owned(),
            version: candidate.version,
            source: candidate.source,
            fell_back_from,
        },
    }
}

fn failed(name: &str, candidate: &Candidate, err: TemplateError) -> (Fallback, TemplateError) {
    tracing::warn!(template = name, version = ?candidate.version, source = ?candidate.source,
        error = %err, "prompt template failed to render");
    let fallback = Fallback {
        source: candidate.source,
        version: candidate.version,
        error: err.to_string(),
    };
    (fallback, err)
}

/// Renders template `name` for a chat of the transaction's creator, with fallback.
pub async fn render_prompt(
    tx: &mut TenantTx,
    cache: &Cache,
    name: &str,
    chat: &ChatContext,
) -> Result<RenderedPrompt, PromptError> {
    let creator = tx.creator();
    let chain = {
        let conn = &mut *tx;
        cache
            .get_or_load(creator, &cache_key(name), CANDIDATES_TTL, move || {
                store::candidates(conn, name)
            })
            .await?
    };
    let facts = store::creator_facts(tx).await?;
    render_with_fallback(name, chain, &facts, chat)
}

/// Renders the `chat` template for a chat of the transaction's creator: what the chat path
/// sends to the model, and which template version it came from.
pub async fn render_chat_prompt(
    tx: &mut TenantTx,
    cache: &Cache,
    chat: &ChatContext,
) -> Result<RenderedPrompt, PromptError> {
    render_prompt(tx, cache, CHAT, chat).await
}
