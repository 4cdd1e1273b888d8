//! The pre-authentication look-ups: one credential in, the ids to scope a tenant transaction
//! out (see `migrations/20261125000100_auth_lookups.sql`).

use coachai_common::AppError;
use coachai_common::tenancy::{CreatorId, Db};
use uuid::Uuid;

type Ids = Option<(CreatorId, Uuid)>;

fn ids(row: Option<(Uuid, Uuid)>) -> Ids {
    row.map(|(creator, id)| (CreatorId(creator), id))
}

/// The active user `email` of the active creator `slug`.
pub async fn login(db: &Db, slug: &str, email: &str) -> Result<Ids, AppError> {
    let row = sqlx::query_as("SELECT creator_id, user_id FROM app_login_lookup($1, $2)")
        .bind(slug)
        .bind(email)
        .fetch_optional(db.preauth())
        .await?;
    Ok(ids(row))
}

/// The refresh token with this hash, whatever its status.
pub async fn refresh_token(db: &Db, hash: &[u8]) -> Result<Ids, AppError> {
    let row = sqlx::query_as("SELECT creator_id, token_id FROM app_refresh_token_lookup($1)")
        .bind(hash)
        .fetch_optional(db.preauth())
        .await?;
    Ok(ids(row))
}

/// The pending invitation with this token hash.
pub async fn invitation(db: &Db, hash: &[u8]) -> Result<Ids, AppError> {
    let row = sqlx::query_as("SELECT creator_id, invitation_id FROM app_invitation_lookup($1)")
        .bind(hash)
        .fetch_optional(db.preauth())
        .await?;
    Ok(ids(row))
}
