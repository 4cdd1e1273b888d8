//! Users of the current tenant.

use coachai_common::auth::Role;
use coachai_common::{AppError, TenantTx};
use uuid::Uuid;

use crate::models::users::{Page, UserView, parse_role};

/// What login and token minting need to know about a user.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user's id.
    pub id: Uuid,
    /// Email address.
    pub email: String,
    /// Role in the tenant.
    pub role: Role,
    /// Whether the user may sign in.
    pub active: bool,
    /// Argon2id PHC string, if a password is set.
    pub password_hash: Option<String>,
}

type AccountRow = (Uuid, String, String, String, Option<String>);

/// The user `id` of the tenant, if visible.
pub async fn account(tx: &mut TenantTx, id: Uuid) -> Result<Option<Account>, AppError> {
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT id, email::text, role, status, password_hash FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(tx.conn())
    .await?;
    row.map(|(id, email, role, status, password_hash)| {
        let role = parse_role(&role).ok_or_else(|| AppError::internal("unknown role"))?;
        Ok(Account {
            id,
            email,
            role,
            active: status == "active",
            password_hash,
        })
    })
    .transpose()
}

/// A new user; 409 when the email is already a user of the tenant.
pub async fn insert(
    tx: &mut TenantTx,
    email: &str,
    password_hash: &str,
    role: Role,
    display_name: Option<&str>,
) -> Result<Uuid, AppError> {
    let creator = tx.creator().0;
    sqlx::query_scalar(
        "INSERT INTO users (creator_id, email, password_hash, role, display_name)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(creator)
    .bind(email)
    .bind(password_hash)
    .bind(role.as_str())
    .bind(display_name)
    .fetch_one(tx.conn())
    .await
    .map_err(|err| match AppError::from(err) {
        AppError::Conflict(_) => AppError::Conflict("this email is already a user here".into()),
        other => other,
    })
}

/// Sets the password of the owner `email` who has none yet (a tenant the operator made and
/// handed over with an owner invitation); 409 when the owner already has one.
pub async fn activate_owner(
    tx: &mut TenantTx,
    email: &str,
    password_hash: &str,
) -> Result<Uuid, AppError> {
    sqlx::query_scalar(
        "UPDATE users SET password_hash = $2, updated_at = now()
          WHERE email = $1 AND role = 'owner' AND password_hash IS NULL RETURNING id",
    )
    .bind(email)
    .bind(password_hash)
    .fetch_optional(tx.conn())
    .await?
    .ok_or_else(|| AppError::Conflict("the owner has already set a password; sign in".into()))
}

const VIEW: &str =
    "SELECT id, email::text AS email, role, status, display_name, created_at FROM users";

/// The tenant's users, oldest first.
pub async fn list(tx: &mut TenantTx, page: &Page) -> Result<Vec<UserView>, AppError> {
    let sql = format!("{VIEW} ORDER BY created_at, id LIMIT $1 OFFSET $2");
    let users = sqlx::query_as(&sql)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(tx.conn())
        .await?;
    Ok(users)
}

/// Deactivates `id` and ends everything it could still use: refresh tokens, API keys and the
/// invitations it sent that are still pending.
/// `None` when no such user is visible in the tenant.
pub async fn deactivate(tx: &mut TenantTx, id: Uuid) -> Result<Option<UserView>, AppError> {
    let updated =
        sqlx::query("UPDATE users SET status = 'deactivated', updated_at = now() WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query(
        "UPDATE refresh_tokens SET status = 'revoked', revoked_at = now()
         WHERE user_id = $1 AND status <> 'revoked'",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE api_keys SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "UPDATE invitations SET expires_at = now()
          WHERE invited_by = $1 AND accepted_at IS NULL AND expires_at > now()",
    )
    .bind(id)
    .execute(tx.conn())
    .await?;
    let view = sqlx::query_as(&format!("{VIEW} WHERE id = $1"))
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
    Ok(Some(view))
}

/// The tenant's slug.
pub async fn creator_slug(tx: &mut TenantTx) -> Result<String, AppError> {
    let slug = sqlx::query_scalar("SELECT slug::text FROM creators")
        .fetch_one(tx.conn())
        .await?;
    Ok(slug)
}
