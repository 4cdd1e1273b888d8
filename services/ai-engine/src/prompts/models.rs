//! The request and response bodies of `/api/v1/ai/prompts`, and the listing built from the
//! creator's versions and the global defaults (pure).

use std::collections::BTreeMap;

use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::Passage;
use super::render::MAX_BODY_CHARS;
use super::resolve::Source;
use super::store::{GlobalDefault, TemplateVersion};
use super::{BUILTIN_CHAT, CHAT, valid_name};

fn name_rule(name: &str, _: &()) -> garde::Result {
    if valid_name(name) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must match ^[a-z][a-z0-9_-]{0,39}$ (a lowercase letter, then up to 39 of a-z 0-9 _ -)",
        ))
    }
}

/// `POST /prompts`: the creator's own first version of template `name`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "chat",
    "body": "You are {{ persona.coach_name or creator.display_name }}.\n<<<MATERIAL>>>\n{% for p in passages %}{{ p.label }} {{ p.text }}\n{% endfor %}<<<END MATERIAL>>>"}))]
pub struct NewTemplate {
    /// `^[a-z][a-z0-9_-]{0,39}$`; `chat` is the template chats use.
    #[garde(custom(name_rule))]
    pub name: String,
    /// Jinja source, 1–20,000 characters; it must parse.
    #[garde(length(chars, min = 1, max = MAX_BODY_CHARS))]
    pub body: String,
}

/// `POST /prompts/{name}/versions`: the next version of a template.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "You are {{ persona.coach_name }}. Be brief.", "activate": true}))]
pub struct NewVersion {
    /// Jinja source, 1–20,000 characters; it must parse.
    #[garde(length(chars, min = 1, max = MAX_BODY_CHARS))]
    pub body: String,
    /// Make it the active version at once (default: no).
    #[serde(default)]
    #[garde(skip)]
    pub activate: bool,
}

/// `POST /prompts/{name}/preview`: render a draft `body`, a saved `version`, or (neither) what
/// chats use now, for `message` and sample `passages`.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"message": "How should I warm up my hips?",
    "passages": [{"title": "Hip mobility", "location": "Warm-up › Hips",
        "text": "Start with ten slow hip circles each way."}]}))]
pub struct PreviewRequest {
    /// An unsaved body to try.
    #[garde(inner(length(chars, min = 1, max = MAX_BODY_CHARS)))]
    pub body: Option<String>,
    /// A saved version of the creator's template to try.
    #[garde(inner(range(min = 1)))]
    pub version: Option<i32>,
    /// The client's message.
    #[garde(length(chars, min = 1, max = 4000))]
    pub message: String,
    /// Sample passages, at most 20.
    #[serde(default)]
    #[garde(length(max = 20), dive)]
    pub passages: Vec<Passage>,
}

/// The version of a template chats use now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ActiveTemplate {
    /// Whose it is: the creator's override, the global default or the built-in.
    pub source: Source,
    /// Its version (none for the built-in).
    pub version: Option<i32>,
    /// The Jinja source.
    pub body: String,
}

/// One template the creator has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TemplateSummary {
    /// The template's name.
    pub name: String,
    /// What chats use now.
    pub active: ActiveTemplate,
    /// The creator's versions, oldest first (empty when only a default exists).
    pub versions: Vec<TemplateVersion>,
}

/// `GET /prompts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"templates": [{"name": "chat",
    "active": {"source": "creator", "version": 2, "body": "You are {{ persona.coach_name }}. Be brief."},
    "versions": [
        {"name": "chat", "version": 1, "body": "You are {{ persona.coach_name }}.", "active": false,
         "created_at": "2026-11-27T14:05:00Z", "created_by": "0195f3a0-1b2c-7d3e-8f40-5a6b7c8d9e0f",
         "activated_at": "2026-11-27T14:05:00Z"},
        {"name": "chat", "version": 2, "body": "You are {{ persona.coach_name }}. Be brief.", "active": true,
         "created_at": "2026-11-27T14:06:00Z", "created_by": "0195f3a0-1b2c-7d3e-8f40-5a6b7c8d9e0f",
         "activated_at": "2026-11-27T14:06:00Z"}]}]}))]
pub struct TemplateList {
    /// Every template name the creator overrides or the platform provides, by name.
    pub templates: Vec<TemplateSummary>,
}

/// Groups the creator's `versions` by name, adding the `globals` the creator does not override
/// (and the built-in `chat` when the platform has no default of it).
pub fn summarise(versions: Vec<TemplateVersion>, globals: Vec<GlobalDefault>) -> TemplateList {
    let mut by_name: BTreeMap<String, Vec<TemplateVersion>> = BTreeMap::new();
    for version in versions {
        by_name
            .entry(version.name.clone())
            .or_default()
            .push(version);
    }
    let mut defaults: BTreeMap<String, ActiveTemplate> = globals
        .into_iter()
        .map(|g| (g.name, active(Source::Global, Some(g.version), g.body)))
        .collect();
    defaults
        .entry(CHAT.to_owned())
        .or_insert_with(|| active(Source::Builtin, None, BUILTIN_CHAT.to_owned()));
    for name in defaults.keys() {
        by_name.entry(name.clone()).or_default();
    }
    let templates = by_name
        .into_iter()
        .filter_map(|(name, versions)| {
            let own = versions
                .iter()
                .find(|v| v.active)
                .map(|v| active(Source::Creator, Some(v.version), v.body.clone()));
            let active = own.or_else(|| defaults.get(&name).cloned())?;
            Some(TemplateSummary {
                name,
                active,
                versions,
            })
        })
        .collect();
    TemplateList { templates }
}

fn active(source: Source, version: Option<i32>, body: String) -> ActiveTemplate {
    ActiveTemplate {
        source,
        version,
        body,
    }
}
