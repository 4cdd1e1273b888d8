//! Apply, checks part: the tenant's isolation (no other tenant's rows visible in its
//! transaction; row level security enabled and forced on every tenant table, repaired when
//! someone switched it off; no other tenant's vectors reachable through the AI Engine's
//! tenant-scoped path), its vector collection, and its models on the Ollama server.

use coachai_ai_engine::vectors::collection_name;
use coachai_common::tenancy::CreatorId;

use super::access::{Access, role_url};
use crate::context::Context;
use crate::crd::Creator;
use crate::models::{Pull, same_model};

/// What the isolation check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    /// Tenant tables whose row level security was off and was switched back on.
    pub repaired: Vec<String>,
    /// Other tenants whose vectors the tenant's own vector path reaches (empty when isolated).
    pub foreign_vectors: Vec<CreatorId>,
}

/// Proves the tenant sees only its own rows, repairing switched-off row level security.
pub async fn isolation(ctx: &Context, id: CreatorId) -> Result<Isolation, String> {
    let repaired: Vec<String> = sqlx::query_scalar("SELECT app_enforce_tenant_rls()")
        .fetch_all(ctx.db.preauth())
        .await
        .map_err(|e| format!("the row level security check failed: {e}"))?;
    let mut tx = ctx.db.begin_for(id).await.map_err(|e| e.to_string())?;
    let foreign: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM creators WHERE id <> $1)
              + (SELECT count(*) FROM users WHERE creator_id <> $1)",
    )
    .bind(id.0)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    if foreign > 0 {
        return Err(format!("the tenant sees {foreign} rows of other tenants"));
    }
    Ok(Isolation {
        repaired,
        foreign_vectors: Vec::new(),
    })
}

/// Keeps the tenant's isolation canary in its (non-empty) collection, then reads every canary
/// through the AI Engine's path for this tenant: the other tenants whose canary it reaches.
/// Another tenant's collection cannot be named on that path (every call takes the verified
/// `CreatorId` and derives the name from it); this shows what the path reaches at run time.
pub async fn foreign_vectors(ctx: &Context, id: CreatorId) -> Result<Vec<CreatorId>, String> {
    let failed = |e: coachai_ai_engine::vectors::VectorError| {
        format!("the vector isolation probe failed: {e}")
    };
    ctx.vectors.place_canary(id).await.map_err(failed)?;
    let owners = ctx.vectors.canary_owners(id).await.map_err(failed)?;
    Ok(owners.into_iter().filter(|owner| *owner != id).collect())
}

/// Proves, connected as the tenant's own role, that it sees its creator and no other — even
/// after setting `app.current_creator_id` to another tenant — and cannot read the users table.
pub async fn as_tenant_role(
    ctx: &Context,
    id: CreatorId,
    access: Option<&Access>,
) -> Result<(), String> {
    use sqlx::Connection as _;
    let Some(access) = access else { return Ok(()) };
    let url = role_url(&ctx.config.common.database_url, access)?;
    let failed = |e: sqlx::Error| format!("the tenant role's isolation probe failed: {e}");
    let mut conn = sqlx::PgConnection::connect(url.as_str())
        .await
        .map_err(failed)?;
    sqlx::query("SELECT set_config('app.current_creator_id', $1, false)")
        .bind(uuid::Uuid::new_v4().to_string())
        .execute(&mut conn)
        .await
        .map_err(failed)?;
    let seen: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM creators")
        .fetch_all(&mut conn)
        .await
        .map_err(failed)?;
    let users = sqlx::query("SELECT 1 FROM users LIMIT 1")
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if seen != [id.0] {
        return Err(format!(
            "the tenant role sees {} creators, not only its own",
            seen.len()
        ));
    }
    if users.is_ok() {
        return Err("the tenant role can read the users table".into());
    }
    Ok(())
}

/// Creates the tenant's collection unless it exists; its name.
pub async fn collection(ctx: &Context, id: CreatorId) -> Result<String, String> {
    ctx.vectors
        .create_collection(id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(collection_name(id))
}

/// A model of the spec as the Ollama server has it (`digest: None` when it does not).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPresence {
    /// The model's name, as the spec says it.
    pub name: String,
    /// Its digest on the server.
    pub digest: Option<String>,
    /// Its pull, when the server does not have it.
    pub pull: Option<Pull>,
}

#[derive(serde::Deserialize)]
struct Tags {
    models: Vec<Tag>,
}

#[derive(serde::Deserialize)]
struct Tag {
    name: String,
    digest: String,
}

/// The spec's models as the Ollama server has them (its `/api/tags`); a missing one is pulled
/// in the background.
pub async fn models(ctx: &Context, creator: &Creator) -> Result<Vec<ModelPresence>, String> {
    let url = format!(
        "{}/api/tags",
        ctx.config.common.ollama_url.trim_end_matches('/')
    );
    let unreadable = |e: reqwest::Error| format!("Ollama at {url} cannot be read: {e}");
    let tags: Tags = reqwest::Client::new()
        .get(&url)
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(unreadable)?
        .json()
        .await
        .map_err(unreadable)?;
    let wanted = [&creator.spec.models.chat, &creator.spec.models.embedding];
    Ok(wanted
        .into_iter()
        .map(|name| {
            let listed = tags.models.iter().find(|t| same_model(&t.name, name));
            let digest = listed.map(|t| t.digest.clone());
            let pull = digest.is_none().then(|| ctx.puller.want(name));
            ModelPresence {
                name: name.clone(),
                digest,
                pull,
            }
        })
        .collect())
}
