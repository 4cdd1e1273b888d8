//! Apply, database part: the tenant's rows through the provisioning library (made once, keyed
//! by the object's UID), then the spec's settings written into the creator row only where they
//! differ — an unchanged spec writes nothing.

use coachai_common::tenancy::{CreatorId, Db};
use coachai_provisioning::{ProvisionError, Provisioner};
use serde_json::json;

use super::quantity::bytes;
use super::validate::Wanted;
use crate::crd::{CreatorSpec, Plan};

/// The creator row's settings as the spec wants them.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RowSettings {
    /// `display_name`.
    pub display_name: String,
    /// `plan`.
    pub plan: String,
    /// `chat_model`.
    pub chat_model: String,
    /// `embedding_model`.
    pub embedding_model: String,
    /// `quotas` (the Hub's keys).
    pub quotas: serde_json::Value,
    /// `allowed_origins`.
    pub allowed_origins: Vec<String>,
    /// `status`: `active` or `suspended`.
    pub status: String,
}

impl RowSettings {
    /// The settings `spec` asks for (pure).
    pub fn from_spec(spec: &CreatorSpec) -> Result<Self, String> {
        let storage = bytes(&spec.quotas.storage).ok_or_else(|| {
            format!(
                "spec.quotas.storage `{}` is not a quantity",
                spec.quotas.storage
            )
        })?;
        Ok(Self {
            display_name: spec.display_name.clone(),
            plan: plan_name(spec.plan).into(),
            chat_model: spec.models.chat.clone(),
            embedding_model: spec.models.embedding.clone(),
            quotas: json!({
                "requests_per_minute": spec.quotas.requests_per_minute,
                "storage_bytes": storage,
                "documents": spec.quotas.documents,
            }),
            allowed_origins: spec.allowed_origins.clone(),
            status: if spec.suspended {
                "suspended"
            } else {
                "active"
            }
            .into(),
        })
    }
}

fn plan_name(plan: Plan) -> &'static str {
    match plan {
        Plan::Free => "free",
        Plan::Pro => "pro",
        Plan::Business => "business",
    }
}

/// What the database part did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synced {
    /// The rows were created now.
    pub created: bool,
    /// The settings were written (they differed).
    pub wrote: bool,
}

/// Ensures the tenant's rows and settings.
pub async fn ensure(
    db: &Db,
    wanted: &Wanted,
    settings: &RowSettings,
) -> Result<Synced, ProvisionError> {
    let ensured = Provisioner::new()
        .ensure(db, &wanted.tenant, wanted.id)
        .await?;
    let wrote = sync(db, wanted.id, settings).await?;
    Ok(Synced {
        created: ensured.created,
        wrote,
    })
}

async fn sync(db: &Db, id: CreatorId, wanted: &RowSettings) -> Result<bool, ProvisionError> {
    let mut tx = db.begin_for(id).await?;
    let current: RowSettings = sqlx::query_as(
        "SELECT display_name, plan, chat_model, embedding_model, quotas, allowed_origins, status
           FROM creators WHERE id = $1",
    )
    .bind(id.0)
    .fetch_one(tx.conn())
    .await
    .map_err(coachai_common::AppError::from)?;
    if &current == wanted {
        tx.commit().await?;
        return Ok(false);
    }
    sqlx::query(
        "UPDATE creators SET display_name = $2, plan = $3, chat_model = $4, embedding_model = $5,
                quotas = $6, allowed_origins = $7, status = $8, updated_at = now()
          WHERE id = $1",
    )
    .bind(id.0)
    .bind(&wanted.display_name)
    .bind(&wanted.plan)
    .bind(&wanted.chat_model)
    .bind(&wanted.embedding_model)
    .bind(&wanted.quotas)
    .bind(&wanted.allowed_origins)
    .bind(&wanted.status)
    .execute(tx.conn())
    .await
    .map_err(coachai_common::AppError::from)?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::Owner;

    #[test]
    fn the_spec_becomes_the_hubs_quota_keys_and_status() {
        let spec = CreatorSpec {
            display_name: "Coach".into(),
            slug: "coach".into(),
            owner: Owner {
                email: "c@example.com".into(),
            },
            plan: Plan::Pro,
            models: Default::default(),
            quotas: Default::default(),
            allowed_origins: vec!["https://coach.io".into()],
            suspended: true,
            database_access: Default::default(),
        };
        let settings = RowSettings::from_spec(&spec).unwrap();
        assert_eq!(settings.quotas["storage_bytes"], 100 * 1024 * 1024);
        assert_eq!(settings.quotas["requests_per_minute"], 60);
        assert_eq!(settings.status, "suspended");
        assert_eq!(settings.plan, "pro");
    }
}
