//! Prompt templates in PostgreSQL. Every function takes the tenant transaction, so RLS limits
//! it to the caller's creator; the global defaults are platform rows every tenant may read.
//! Writes to one template take a transaction-scoped advisory lock on it first, so concurrent
//! writers queue.

use chrono::{DateTime, Utc};
use coachai_common::TenantTx;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use uuid::Uuid;

use super::context::{CreatorFacts, Persona};
use super::error::PromptError;
use super::resolve::{Candidate, Source};

/// One version of a creator's template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow, utoipa::ToSchema)]
#[schema(example = json!({"name": "chat", "version": 2, "active": true,
    "body": "You are {{ persona.coach_name }}. Answer from the material.",
    "created_at": "2026-11-27T14:05:00Z", "created_by": "0195f3a0-1b2c-7d3e-8f40-5a6b7c8d9e0f",
    "activated_at": "2026-11-27T14:06:00Z"}))]
pub struct TemplateVersion {
    /// The template's name.
    pub name: String,
    /// 1, 2, 3… per template.
    pub version: i32,
    /// The Jinja source.
    pub body: String,
    /// Whether chats use this version now.
    pub active: bool,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
    /// Who saved it.
    pub created_by: Option<Uuid>,
    /// When it was last made active, if ever.
    pub activated_at: Option<DateTime<Utc>>,
}

/// The active global default of a template.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct GlobalDefault {
    /// The template's name.
    pub name: String,
    /// Its version among the defaults.
    pub version: i32,
    /// The Jinja source.
    pub body: String,
}

const VERSIONS: &str = "SELECT t.name, t.version, t.body, t.active, t.created_at, t.created_by,
        (SELECT max(a.activated_at) FROM prompt_template_activations a
          WHERE a.creator_id = t.creator_id AND a.name = t.name AND a.version = t.version)
          AS activated_at
     FROM prompt_templates t";

/// Every version of every template of the creator, by name then version.
pub async fn versions(tx: &mut TenantTx) -> Result<Vec<TemplateVersion>, PromptError> {
    let sql = format!("{VERSIONS} ORDER BY t.name, t.version");
    Ok(sqlx::query_as(&sql).fetch_all(tx.conn()).await?)
}

/// One version of the creator's template `name`.
pub async fn version(
    tx: &mut TenantTx,
    name: &str,
    version: i32,
) -> Result<TemplateVersion, PromptError> {
    let sql = format!("{VERSIONS} WHERE t.name = $1 AND t.version = $2");
    sqlx::query_as(&sql)
        .bind(name)
        .bind(version)
        .fetch_optional(tx.conn())
        .await?
        .ok_or_else(|| PromptError::UnknownVersion {
            name: name.to_owned(),
            version,
        })
}

/// The active global defaults, by name.
pub async fn global_defaults(tx: &mut TenantTx) -> Result<Vec<GlobalDefault>, PromptError> {
    Ok(sqlx::query_as(
        "SELECT name, version, body FROM prompt_template_defaults WHERE active ORDER BY name",
    )
    .fetch_all(tx.conn())
    .await?)
}

/// Saves the creator's first version of `name`, active.
pub async fn create(
    tx: &mut TenantTx,
    name: &str,
    body: &str,
    user: Uuid,
) -> Result<TemplateVersion, PromptError> {
    if !locked_versions(tx, name).await?.is_empty() {
        return Err(PromptError::AlreadyExists(name.to_owned()));
    }
    insert(tx, name, 1, body, user).await?;
    activate(tx, name, 1, user).await
}

/// Saves the next version of the creator's template `name`, activating it when asked.
pub async fn add_version(
    tx: &mut TenantTx,
    name: &str,
    body: &str,
    make_active: bool,
    user: Uuid,
) -> Result<TemplateVersion, PromptError> {
    let existing = locked_versions(tx, name).await?;
    let last = existing
        .last()
        .ok_or_else(|| PromptError::UnknownTemplate(name.to_owned()))?;
    let next = last + 1;
    insert(tx, name, next, body, user).await?;
    if make_active {
        return activate(tx, name, next, user).await;
    }
    version(tx, name, next).await
}

/// Makes `version` the active one of `name` and records the activation; activating the active
/// version changes nothing.
pub async fn activate(
    tx: &mut TenantTx,
    name: &str,
    version_no: i32,
    user: Uuid,
) -> Result<TemplateVersion, PromptError> {
    let existing = locked_versions(tx, name).await?;
    if existing.is_empty() {
        return Err(PromptError::UnknownTemplate(name.to_owned()));
    }
    let current = version(tx, name, version_no).await?;
    if current.active {
        return Ok(current);
    }
    sqlx::query("UPDATE prompt_templates SET active = false WHERE name = $1 AND active")
        .bind(name)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE prompt_templates SET active = true WHERE name = $1 AND version = $2")
        .bind(name)
        .bind(version_no)
        .execute(tx.conn())
        .await?;
    let creator = tx.creator().0;
    sqlx::query(
        "INSERT INTO prompt_template_activations (creator_id, name, version, activated_by)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(creator)
    .bind(name)
    .bind(version_no)
    .bind(user)
    .execute(tx.conn())
    .await?;
    version(tx, name, version_no).await
}

/// What a render of `name` may use, in order: the creator's active version and the one active
/// before it, or else the active global default. The built-in is not included.
pub async fn candidates(tx: &mut TenantTx, name: &str) -> Result<Vec<Candidate>, PromptError> {
    let active: Option<(i32, String)> =
        sqlx::query_as("SELECT version, body FROM prompt_templates WHERE name = $1 AND active")
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
    let Some((version_no, body)) = active else {
        let global: Option<(i32, String)> = sqlx::query_as(
            "SELECT version, body FROM prompt_template_defaults WHERE name = $1 AND active",
        )
        .bind(name)
        .fetch_optional(tx.conn())
        .await?;
        return Ok(global
            .map(|(v, body)| Candidate::new(Source::Global, Some(v), body))
            .into_iter()
            .collect());
    };
    let previous: Option<(i32, String)> = sqlx::query_as(
        "SELECT t.version, t.body FROM prompt_template_activations a
           JOIN prompt_templates t USING (creator_id, name, version)
          WHERE a.name = $1 AND a.version <> $2
          ORDER BY a.id DESC LIMIT 1",
    )
    .bind(name)
    .bind(version_no)
    .fetch_optional(tx.conn())
    .await?;
    let mut chain = vec![Candidate::new(Source::Creator, Some(version_no), body)];
    chain.extend(previous.map(|(v, body)| Candidate::new(Source::Creator, Some(v), body)));
    Ok(chain)
}

/// The creator's display name and persona (a persona that no longer fits the shape reads as
/// empty rather than failing the chat).
pub async fn creator_facts(tx: &mut TenantTx) -> Result<CreatorFacts, PromptError> {
    let (display_name, persona): (String, serde_json::Value) =
        sqlx::query_as("SELECT display_name, persona FROM creators")
            .fetch_one(tx.conn())
            .await?;
    let persona = serde_json::from_value::<Persona>(persona).unwrap_or_else(|err| {
        tracing::warn!(error = %err, "creator persona does not fit; rendering without it");
        Persona::default()
    });
    Ok(CreatorFacts {
        display_name,
        persona,
    })
}

/// Locks template `name` of the creator for the rest of the transaction (an advisory lock, so
/// even the first version's creation queues behind another) and returns its versions.
async fn locked_versions(tx: &mut TenantTx, name: &str) -> Result<Vec<i32>, PromptError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))")
        .bind(tx.creator().0.to_string())
        .bind(name)
        .execute(tx.conn())
        .await?;
    Ok(
        sqlx::query_scalar("SELECT version FROM prompt_templates WHERE name = $1 ORDER BY version")
            .bind(name)
            .fetch_all(tx.conn())
            .await?,
    )
}

async fn insert(
    tx: &mut TenantTx,
    name: &str,
    version_no: i32,
    body: &str,
    user: Uuid,
) -> Result<(), PromptError> {
    let creator = tx.creator().0;
    sqlx::query(
        "INSERT INTO prompt_templates (creator_id, name, version, body, created_by)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(creator)
    .bind(name)
    .bind(version_no)
    .bind(body)
    .bind(user)
    .execute(tx.conn())
    .await?;
    Ok(())
}
