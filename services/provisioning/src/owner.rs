//! Handing a tenant to its owner: an owner made without a password (by the operator) gets an
//! invitation whose token is returned once; accepting it sets the owner's password. The token
//! is stored only as its hash, so a lost token is replaced by a new invitation, never read back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use coachai_common::secret;
use coachai_common::tenancy::{CreatorId, Db};
use uuid::Uuid;

use crate::ProvisionError;

/// Where the owner stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerAccess {
    /// The owner has a password: the tenant is handed over.
    Active,
    /// An invitation of the owner is pending.
    Invited {
        /// The invitation.
        invitation: Uuid,
        /// When it lapses.
        expires_at: DateTime<Utc>,
    },
    /// The owner has no password and no pending invitation.
    Uninvited,
}

/// A new owner invitation and its one-time token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerInvitation {
    /// The invitation.
    pub id: Uuid,
    /// The token to hand to the owner (`/chat/<slug>/invite/<token>` or the Auth API).
    pub token: String,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// Where the owner of `creator` stands.
pub async fn owner_access(db: &Db, creator: CreatorId) -> Result<OwnerAccess, ProvisionError> {
    let mut tx = db.begin_for(creator).await?;
    let active: Option<bool> = sqlx::query_scalar(
        "SELECT password_hash IS NOT NULL FROM users WHERE role = 'owner' ORDER BY created_at LIMIT 1",
    )
    .fetch_optional(tx.conn())
    .await
    .map_err(coachai_common::AppError::from)?;
    let pending: Option<(Uuid, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, expires_at FROM invitations
          WHERE role = 'owner' AND accepted_at IS NULL AND expires_at > now()
          ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_optional(tx.conn())
    .await
    .map_err(coachai_common::AppError::from)?;
    tx.commit().await?;
    Ok(match (active, pending) {
        (Some(true), _) => OwnerAccess::Active,
        (_, Some((invitation, expires_at))) => OwnerAccess::Invited {
            invitation,
            expires_at,
        },
        _ => OwnerAccess::Uninvited,
    })
}

/// A new invitation of the owner of `creator`, valid for `ttl`; pending ones are withdrawn, so
/// only the newest token works.
pub async fn invite_owner(
    db: &Db,
    creator: CreatorId,
    ttl: Duration,
) -> Result<OwnerInvitation, ProvisionError> {
    let token = secret::opaque();
    let mut tx = db.begin_for(creator).await?;
    sqlx::query("DELETE FROM invitations WHERE role = 'owner' AND accepted_at IS NULL")
        .execute(tx.conn())
        .await
        .map_err(coachai_common::AppError::from)?;
    let (id, expires_at): (Uuid, DateTime<Utc>) = sqlx::query_as(
        "INSERT INTO invitations (creator_id, email, role, token_hash, invited_by, expires_at)
         SELECT creator_id, email, 'owner', $2, id, now() + make_interval(secs => $3)
           FROM users WHERE creator_id = $1 AND role = 'owner' ORDER BY created_at LIMIT 1
         RETURNING id, expires_at",
    )
    .bind(creator.0)
    .bind(secret::hash(&token))
    .bind(ttl.as_secs_f64())
    .fetch_one(tx.conn())
    .await
    .map_err(coachai_common::AppError::from)?;
    tx.commit().await?;
    Ok(OwnerInvitation {
        id,
        token,
        expires_at,
    })
}
