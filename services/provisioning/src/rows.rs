//! The database rows of a new tenant, written inside its own tenant transaction.

use coachai_common::AppError;
use coachai_common::audit::{Actor, AuditEntry, Origin};
use coachai_common::tenancy::TenantTx;
use uuid::Uuid;

use crate::{ProvisionError, ValidTenant};

pub(crate) async fn insert_creator(
    tx: &mut TenantTx,
    tenant: &ValidTenant,
) -> Result<(), ProvisionError> {
    let creator = tx.creator().0;
    sqlx::query("INSERT INTO creators (id, slug, display_name) VALUES ($1, $2, $3)")
        .bind(creator)
        .bind(tenant.slug())
        .bind(tenant.display_name())
        .execute(tx.conn())
        .await
        .map_err(|err| slug_conflict(err, tenant.slug()))?;
    Ok(())
}

/// The unique slug index is checked whatever RLS hides, so a taken slug is a clean 409.
fn slug_conflict(err: sqlx::Error, slug: &str) -> ProvisionError {
    let taken = err
        .as_database_error()
        .is_some_and(|db| db.code().as_deref() == Some("23505"));
    if taken {
        ProvisionError::SlugTaken(slug.to_owned())
    } else {
        ProvisionError::Database(AppError::from(err))
    }
}

pub(crate) async fn insert_owner(
    tx: &mut TenantTx,
    tenant: &ValidTenant,
) -> Result<Uuid, ProvisionError> {
    let creator = tx.creator().0;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO users (creator_id, email, password_hash, role)
         VALUES ($1, $2, $3, 'owner') RETURNING id",
    )
    .bind(creator)
    .bind(tenant.owner_email())
    .bind(tenant.owner_password_hash())
    .fetch_one(tx.conn())
    .await
    .map_err(AppError::from)?;
    Ok(id)
}

pub(crate) async fn audit(tx: &mut TenantTx, tenant: &ValidTenant) -> Result<(), ProvisionError> {
    let origin = Origin::default();
    let creator = tx.creator();
    AuditEntry::new(Actor::System, "tenant.provision", &origin)
        .target("creator", creator)
        .details(serde_json::json!({ "slug": tenant.slug() }))
        .record(tx)
        .await?;
    Ok(())
}
