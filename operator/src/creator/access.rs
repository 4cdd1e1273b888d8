//! Apply, database access part (`spec.databaseAccess.enabled`): a LOGIN role that sees only the
//! tenant's rows (`app_tenant_role`, migration `tenant_roles`), its password derived from the
//! operator's key and the rotation annotation, sent to PostgreSQL only as a SCRAM verifier, and
//! a Secret `<name>-db-credentials` owned by the Creator (`username`, `password`, `host`,
//! `port`, `database`, `uri`). The Secret is written only when missing or rotated; a deleted one
//! is made again with the same credential. Switching access off drops the role and the Secret.

use coachai_common::tenancy::CreatorId;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, PostParams};
use kube::{Api, ResourceExt};

use super::scram;
use super::secret::owned_secret;
use crate::context::Context;
use crate::crd::Creator;

/// An annotation whose value is part of the password: changing it rotates the credential.
pub const ROTATE: &str = "coachai.dev/rotate-credentials";

/// The tenant's database access as made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The role's name.
    pub role: String,
    /// The credentials Secret's name.
    pub secret: String,
    /// The password (kept in memory for the isolation probe).
    pub password: String,
}

/// The role of `id`.
pub fn role_name(id: CreatorId) -> String {
    format!("tenant_{}", id.0.simple())
}

/// The credentials Secret of `creator`.
pub fn secret_name(creator: &Creator) -> String {
    format!("{}-db-credentials", creator.name_any())
}

/// Makes the database access the spec asks for (none: removes it).
pub async fn ensure(
    ctx: &Context,
    creator: &Creator,
    id: CreatorId,
) -> Result<Option<Access>, String> {
    if !creator.spec.database_access.enabled {
        return switched_off(ctx, creator, id).await.map(|()| None);
    }
    let key = ctx.config.operator.operator_credential_key.as_bytes();
    if key.is_empty() {
        return Err("database access needs OPERATOR_CREDENTIAL_KEY, which is not set".into());
    }
    let rotation = creator
        .annotations()
        .get(ROTATE)
        .cloned()
        .unwrap_or_default();
    let password = scram::password(key, &id.0.to_string(), &rotation);
    let access = Access {
        role: role_name(id),
        secret: secret_name(creator),
        password,
    };
    let secrets = secrets(ctx, creator);
    let existing = secrets
        .get_opt(&access.secret)
        .await
        .map_err(|e| e.to_string())?;
    let current = existing
        .as_ref()
        .is_some_and(|s| holds(s, &access.password));
    if !current || !role_exists(ctx, &access.role).await? {
        set_password(ctx, id, &access.password).await?;
    }
    if !current {
        let secret = credentials(ctx, creator, &access)?;
        let written = match existing {
            Some(_) => {
                secrets
                    .replace(&access.secret, &PostParams::default(), &secret)
                    .await
            }
            None => secrets.create(&PostParams::default(), &secret).await,
        };
        written.map_err(|e| e.to_string())?;
    }
    Ok(Some(access))
}

/// Removes what database access made, if anything: an unchanged Creator without access writes
/// nothing.
async fn switched_off(ctx: &Context, creator: &Creator, id: CreatorId) -> Result<(), String> {
    let had_secret = creator
        .status
        .as_ref()
        .and_then(|s| s.credentials_secret.as_ref());
    if had_secret.is_some() || role_exists(ctx, &role_name(id)).await? {
        remove(ctx, creator, id).await?;
    }
    Ok(())
}

/// Drops the role and the Secret (both may already be gone).
pub async fn remove(ctx: &Context, creator: &Creator, id: CreatorId) -> Result<(), String> {
    if role_exists(ctx, &role_name(id)).await? {
        sqlx::query("SELECT app_drop_tenant_role($1)")
            .bind(id.0)
            .execute(ctx.db.preauth())
            .await
            .map_err(|e| format!("the tenant's role could not be dropped: {e}"))?;
    }
    match secrets(ctx, creator)
        .delete(&secret_name(creator), &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

fn secrets(ctx: &Context, creator: &Creator) -> Api<Secret> {
    Api::namespaced(ctx.client.clone(), &creator.namespace().unwrap_or_default())
}

fn holds(secret: &Secret, password: &str) -> bool {
    let data = secret.data.as_ref();
    data.and_then(|d| d.get("password"))
        .is_some_and(|p| p.0 == password.as_bytes())
}

async fn role_exists(ctx: &Context, role: &str) -> Result<bool, String> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(ctx.db.preauth())
        .await
        .map_err(|e| e.to_string())
}

async fn set_password(ctx: &Context, id: CreatorId, password: &str) -> Result<(), String> {
    let salt: [u8; 16] = rand::random();
    let verifier = scram::verifier(password, &salt);
    let failed = |e: String| format!("the tenant's role could not be made: {e}");
    let mut tx = ctx
        .db
        .begin_for(id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    sqlx::query("SELECT app_tenant_role($1, $2)")
        .bind(id.0)
        .bind(verifier)
        .execute(tx.conn())
        .await
        .map_err(|e| failed(e.to_string()))?;
    tx.commit().await.map_err(|e| failed(e.to_string()))
}

/// The connection URL of the role, on the platform's database server.
pub fn role_url(database_url: &str, access: &Access) -> Result<url::Url, String> {
    let mut url = url::Url::parse(database_url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    url.set_username(&access.role)
        .map_err(|()| "DATABASE_URL has no host".to_owned())?;
    url.set_password(Some(&access.password))
        .map_err(|()| "DATABASE_URL has no host".to_owned())?;
    Ok(url)
}

fn credentials(ctx: &Context, creator: &Creator, access: &Access) -> Result<Secret, String> {
    let url = role_url(&ctx.config.common.database_url, access)?;
    let fields = vec![
        ("username", access.role.clone()),
        ("password", access.password.clone()),
        ("host", url.host_str().unwrap_or_default().to_owned()),
        ("port", url.port().unwrap_or(5432).to_string()),
        ("database", url.path().trim_start_matches('/').to_owned()),
        ("uri", url.to_string()),
    ];
    Ok(owned_secret(creator, &access.secret, fields))
}
