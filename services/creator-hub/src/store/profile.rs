//! The creator row of the current tenant: read as a [`Profile`], changed by a [`ProfilePatch`].

use coachai_common::{AppError, TenantTx};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use crate::models::origin::normalise;
use crate::models::profile::{Branding, Persona, Profile, ProfilePatch, Quotas, Usage};

/// Quotas of a creator whose operator set none: 60 chat requests a minute, 100 MiB, 200 items.
pub const DEFAULT_QUOTAS: Quotas = Quotas {
    requests_per_minute: 60,
    storage_bytes: 100 * 1024 * 1024,
    documents: 200,
};

type Row = (
    Uuid,
    String,
    String,
    String,
    Json<Branding>,
    Json<Persona>,
    String,
    String,
    Vec<String>,
    Json<Value>,
    i64,
    i64,
);

const SELECT: &str = "
    SELECT c.id, c.slug::text, c.display_name, c.bio, c.branding, c.persona, c.chat_model,
           c.embedding_model, c.allowed_origins, c.quotas,
           (SELECT coalesce(sum(size_bytes + coalesce(pending_size_bytes, 0)), 0)::bigint
              FROM content_items),
           (SELECT count(*) FROM content_items)
      FROM creators c";

/// The tenant's profile with its current usage.
pub async fn load(tx: &mut TenantTx) -> Result<Profile, AppError> {
    let row: Option<Row> = sqlx::query_as(SELECT).fetch_optional(tx.conn()).await?;
    let row = row.ok_or_else(coachai_common::scoped::no_such_creator)?;
    let (id, slug, display_name, bio, branding, persona, chat_model, embedding_model) =
        (row.0, row.1, row.2, row.3, row.4.0, row.5.0, row.6, row.7);
    Ok(Profile {
        id,
        slug,
        display_name,
        bio,
        branding,
        persona,
        chat_model,
        embedding_model,
        allowed_origins: row.8,
        quotas: quotas(&row.9.0),
        usage: Usage {
            storage_bytes: row.10,
            documents: row.11,
        },
    })
}

/// The operator's quotas, each falling back to [`DEFAULT_QUOTAS`].
pub fn quotas(stored: &Value) -> Quotas {
    let field =
        |name: &str, default: i64| stored.get(name).and_then(Value::as_i64).unwrap_or(default);
    Quotas {
        requests_per_minute: field("requests_per_minute", DEFAULT_QUOTAS.requests_per_minute),
        storage_bytes: field("storage_bytes", DEFAULT_QUOTAS.storage_bytes),
        documents: field("documents", DEFAULT_QUOTAS.documents),
    }
}

/// Applies `patch` (fields absent stay as they are).
pub async fn update(tx: &mut TenantTx, patch: &ProfilePatch) -> Result<(), AppError> {
    let origins = patch
        .allowed_origins
        .as_ref()
        .map(|list| normalised(list))
        .transpose()?;
    sqlx::query(
        "UPDATE creators SET
            display_name = coalesce($1, display_name),
            bio = coalesce($2, bio),
            branding = coalesce($3, branding),
            persona = coalesce($4, persona),
            chat_model = coalesce($5, chat_model),
            embedding_model = coalesce($6, embedding_model),
            allowed_origins = coalesce($7, allowed_origins),
            updated_at = now()",
    )
    .bind(patch.display_name.as_deref().map(str::trim))
    .bind(patch.bio.as_deref())
    .bind(patch.branding.as_ref().map(Json))
    .bind(patch.persona.as_ref().map(Json))
    .bind(patch.chat_model.as_deref())
    .bind(patch.embedding_model.as_deref())
    .bind(origins)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The origins normalised, without duplicates, in the order given.
fn normalised(list: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for value in list {
        let origin = normalise(value).map_err(|message| {
            AppError::Validation(vec![coachai_common::FieldError {
                field: "allowed_origins".into(),
                message,
            }])
        })?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_quotas_fall_back_to_the_defaults_one_by_one() {
        let stored = serde_json::json!({"documents": 5, "storage_bytes": "lots"});
        let got = quotas(&stored);
        assert_eq!(got.documents, 5);
        assert_eq!(got.storage_bytes, DEFAULT_QUOTAS.storage_bytes);
        assert_eq!(got.requests_per_minute, 60);
    }

    #[test]
    fn origins_are_stored_normalised_once_each() {
        let list = [
            "https://A.example.com/".to_owned(),
            "https://a.example.com".to_owned(),
        ];
        assert_eq!(normalised(&list).unwrap(), vec!["https://a.example.com"]);
    }
}
