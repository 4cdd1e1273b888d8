//! The finalizer's work when a `Creator` is deleted: the tenant's vectors, its rows (the
//! creator row; every tenant table cascades from it), its suspension flag and its Secrets. Each
//! part is safe to repeat, so a delete interrupted by an operator restart completes on the
//! next reconcile, and the object goes only when all of it is done.

use coachai_common::tenancy::CreatorId;
use k8s_openapi::api::core::v1::Secret;
use kube::api::DeleteParams;
use kube::runtime::controller::Action;
use kube::{Api, ResourceExt};
use uuid::Uuid;

use super::CreatorError;
use super::owner::secret_name;
use crate::context::Context;
use crate::crd::Creator;

/// Removes the tenant of `creator`.
pub async fn run(creator: &Creator, ctx: &Context) -> Result<Action, CreatorError> {
    if let Some(id) = creator.uid().and_then(|uid| Uuid::parse_str(&uid).ok()) {
        super::access::remove(ctx, creator, CreatorId(id))
            .await
            .map_err(CreatorError::Cleanup)?;
        remove_tenant(ctx, CreatorId(id)).await?;
    }
    delete_secret(ctx, creator).await?;
    Ok(Action::await_change())
}

async fn remove_tenant(ctx: &Context, id: CreatorId) -> Result<(), CreatorError> {
    ctx.vectors
        .drop_collection(id)
        .await
        .map_err(|e| CreatorError::Cleanup(e.to_string()))?;
    delete_rows(ctx, id).await?;
    // A flag left behind would only refuse tokens of a tenant that no longer exists.
    let _ = ctx.revocations.resume_creator(id.0).await;
    Ok(())
}

async fn delete_secret(ctx: &Context, creator: &Creator) -> Result<(), CreatorError> {
    let namespace = creator.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    match secrets
        .delete(&secret_name(creator), &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

async fn delete_rows(ctx: &Context, id: CreatorId) -> Result<(), CreatorError> {
    let failed = |e: coachai_common::AppError| CreatorError::Cleanup(e.to_string());
    let mut tx = ctx.db.begin_for(id).await.map_err(failed)?;
    sqlx::query("DELETE FROM creators WHERE id = $1")
        .bind(id.0)
        .execute(tx.conn())
        .await
        .map_err(|e| CreatorError::Cleanup(e.to_string()))?;
    tx.commit().await.map_err(failed)
}
