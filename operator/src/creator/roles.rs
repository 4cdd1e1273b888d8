//! The tenant's login roles in PostgreSQL (migrations `tenant_roles`, `tenant_role_slots`): two
//! slots, `tenant_<hex>` (a) and `tenant_<hex>_b` (b), alternating on each rotation so the
//! previous credential works until it is retired. Made, retired and dropped only through the
//! `SECURITY DEFINER` functions the operator's role may call; passwords reach them as SCRAM
//! verifiers.

use coachai_common::tenancy::CreatorId;

use super::scram;
use crate::context::Context;

/// One of the tenant's two login roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `tenant_<hex>`, the role of tenants made before rotations had a hand-over.
    A,
    /// `tenant_<hex>_b`.
    B,
}

impl Slot {
    /// The slot a rotation moves to.
    pub fn other(self) -> Self {
        match self {
            Self::A => Self::B,
            Self::B => Self::A,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
        }
    }

    /// The slot whose role is `role` for tenant `id`, if it is one of its roles.
    pub fn of(id: CreatorId, role: &str) -> Option<Self> {
        [Self::A, Self::B]
            .into_iter()
            .find(|slot| role_name(id, *slot) == role)
    }
}

/// The role of `id` in `slot`.
pub fn role_name(id: CreatorId, slot: Slot) -> String {
    match slot {
        Slot::A => format!("tenant_{}", id.0.simple()),
        Slot::B => format!("tenant_{}_b", id.0.simple()),
    }
}

/// Whether the role of `id` in `slot` exists.
pub async fn exists(ctx: &Context, id: CreatorId, slot: Slot) -> Result<bool, String> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role_name(id, slot))
        .fetch_one(ctx.db.preauth())
        .await
        .map_err(|e| e.to_string())
}

/// Makes the role of `id` in `slot` log in with `password` (created when missing).
pub async fn set_password(
    ctx: &Context,
    id: CreatorId,
    slot: Slot,
    password: &str,
) -> Result<(), String> {
    let salt: [u8; 16] = rand::random();
    let verifier = scram::verifier(password, &salt);
    let failed = |e: String| format!("the tenant's role could not be made: {e}");
    let mut tx = ctx
        .db
        .begin_for(id)
        .await
        .map_err(|e| failed(e.to_string()))?;
    sqlx::query("SELECT app_tenant_role($1, $2, $3)")
        .bind(id.0)
        .bind(slot.sql())
        .bind(verifier)
        .execute(tx.conn())
        .await
        .map_err(|e| failed(e.to_string()))?;
    tx.commit().await.map_err(|e| failed(e.to_string()))
}

/// Drops the role of `id` in `slot`, whose credential is no longer used.
pub async fn retire(ctx: &Context, id: CreatorId, slot: Slot) -> Result<(), String> {
    sqlx::query("SELECT app_retire_tenant_role($1, $2)")
        .bind(id.0)
        .bind(slot.sql())
        .execute(ctx.db.preauth())
        .await
        .map(drop)
        .map_err(|e| format!("the previous tenant role could not be retired: {e}"))
}

/// Drops both roles of `id`, when either exists (an absent tenant costs no write).
pub async fn drop_all(ctx: &Context, id: CreatorId) -> Result<(), String> {
    if !exists(ctx, id, Slot::A).await? && !exists(ctx, id, Slot::B).await? {
        return Ok(());
    }
    sqlx::query("SELECT app_drop_tenant_role($1)")
        .bind(id.0)
        .execute(ctx.db.preauth())
        .await
        .map(drop)
        .map_err(|e| format!("the tenant's roles could not be dropped: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_slots_name_two_roles_of_the_tenant_and_alternate() {
        let id = CreatorId(uuid::Uuid::from_u128(0xabc));
        let a = role_name(id, Slot::A);
        assert_eq!(a, "tenant_00000000000000000000000000000abc");
        assert_eq!(role_name(id, Slot::B), format!("{a}_b"));
        assert_eq!(Slot::of(id, &a), Some(Slot::A));
        assert_eq!(Slot::of(id, &format!("{a}_b")), Some(Slot::B));
        assert_eq!(Slot::of(id, "tenant_other"), None);
        assert_eq!(Slot::A.other().other(), Slot::A);
    }
}
