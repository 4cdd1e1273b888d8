//! Apply, database access part (`spec.databaseAccess.enabled`): a LOGIN role that sees only the
//! tenant's rows ([`roles`]), its password derived from the operator's key and the rotation
//! annotation, sent to PostgreSQL only as a SCRAM verifier, and a Secret `<name>-db-credentials`
//! owned by the Creator (`username`, `password`, `host`, `port`, `database`, `uri`). The Secret
//! is written only when missing or rotated; a deleted one is made again with the same
//! credential. A rotation makes the other slot's role and hands over ([`handover`]): the
//! previous role is retired once the Deployments using the Secret run on the new credential.
//! Switching access off drops both roles and the Secret.

use chrono::{DateTime, Utc};
use coachai_common::tenancy::CreatorId;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, PostParams};
use kube::runtime::events::{Event, EventType};
use kube::{Api, Resource, ResourceExt};

use super::handover::{self, Outcome, Pending};
use super::roles::{self, Slot, role_name};
use super::scram;
use super::secret::{credentials, field, written_at};
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
    /// The hand-over from the previous role, while one is in progress.
    pub handover: Option<Handover>,
}

/// A hand-over in progress: the previous role still logs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    /// The Deployments using the Secret not yet Ready on its credential.
    pub pending: Vec<Pending>,
    /// Whether a newer rotation was asked and waits for this hand-over to end.
    pub queued: bool,
}

/// What the Secret's content asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// It holds the wanted password.
    Keep,
    /// It is missing: made again, the current role given the wanted password.
    Remake,
    /// It holds an older password: the other slot's role takes the wanted one.
    Rotate,
    /// It holds an older password while a hand-over is pending: the rotation waits.
    Queue,
}

fn plan(held: Option<&str>, wanted: &str, handing_over: bool) -> Plan {
    match (held, handing_over) {
        (None, _) => Plan::Remake,
        (Some(p), _) if p == wanted => Plan::Keep,
        (Some(_), false) => Plan::Rotate,
        (Some(_), true) => Plan::Queue,
    }
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
    let wanted = scram::password(key, &id.0.to_string(), &rotation);
    let name = secret_name(creator);
    let existing = secrets(ctx, creator)
        .get_opt(&name)
        .await
        .map_err(|e| e.to_string())?;
    let slot = current_slot(existing.as_ref(), creator, id);
    let handing_over = roles::exists(ctx, id, slot.other()).await?;
    let held = existing.as_ref().and_then(|s| field(s, "password"));
    let step = plan(held.as_deref(), &wanted, handing_over);
    let (slot, password) = match step {
        Plan::Keep => (slot, wanted),
        Plan::Queue => (slot, held.unwrap_or_default()),
        Plan::Remake => (slot, wanted),
        Plan::Rotate => (slot.other(), wanted),
    };
    let mut access = Access {
        role: role_name(id, slot),
        secret: name,
        password,
        handover: None,
    };
    let since = write(ctx, creator, id, slot, &access, step, existing.as_ref()).await?;
    if step == Plan::Rotate || handing_over {
        access.handover =
            hand_over(ctx, creator, id, slot, &access, since, step == Plan::Queue).await?;
    }
    if step == Plan::Queue && access.handover.is_none() {
        // The hand-over the rotation waited for ended: make it now rather than at the resync.
        return Box::pin(ensure(ctx, creator, id)).await;
    }
    Ok(Some(access))
}

/// The slot the Secret's credential belongs to (from its `username`; when there is no Secret,
/// from the status; else slot a).
fn current_slot(existing: Option<&Secret>, creator: &Creator, id: CreatorId) -> Slot {
    let from_secret = existing.and_then(|s| field(s, "username"));
    let from_status = creator
        .status
        .as_ref()
        .and_then(|s| s.database_role.clone());
    from_secret
        .or(from_status)
        .and_then(|role| Slot::of(id, &role))
        .unwrap_or(Slot::A)
}

/// Makes the role of `slot` and the Secret what `step` asks; since when the Secret holds its
/// credential.
async fn write(
    ctx: &Context,
    creator: &Creator,
    id: CreatorId,
    slot: Slot,
    access: &Access,
    step: Plan,
    existing: Option<&Secret>,
) -> Result<DateTime<Utc>, String> {
    let kept = matches!(step, Plan::Keep | Plan::Queue);
    if kept && roles::exists(ctx, id, slot).await? {
        return Ok(existing.and_then(written_at).unwrap_or_else(Utc::now));
    }
    roles::set_password(ctx, id, slot, &access.password).await?;
    if kept {
        return Ok(existing.and_then(written_at).unwrap_or_else(Utc::now));
    }
    let now = Utc::now();
    let url = role_url(&ctx.config.common.database_url, access)?;
    let secret = credentials(creator, access, &url, now);
    let api = secrets(ctx, creator);
    let written = match existing {
        Some(_) => {
            api.replace(&access.secret, &PostParams::default(), &secret)
                .await
        }
        None => api.create(&PostParams::default(), &secret).await,
    };
    written.map(|_| now).map_err(|e| e.to_string())
}

/// Rolls the Deployments using the Secret to the credential of `access` (in `slot`); retires
/// the other slot's role once they run on it, or once the hand-over begun at `since` timed out.
async fn hand_over(
    ctx: &Context,
    creator: &Creator,
    id: CreatorId,
    slot: Slot,
    access: &Access,
    since: DateTime<Utc>,
    queued: bool,
) -> Result<Option<Handover>, String> {
    let hash = scram::credential_hash(&access.role, &access.password);
    let namespace = creator.namespace().unwrap_or_default();
    let pending = handover::roll(&ctx.client, &namespace, &access.secret, &hash).await?;
    let secs = i64::try_from(ctx.config.operator.credential_handover_secs).ok();
    let limit = secs
        .and_then(chrono::Duration::try_seconds)
        .unwrap_or(chrono::Duration::MAX);
    match handover::decide(pending, since, Utc::now(), limit) {
        Outcome::Rolling(pending) => return Ok(Some(Handover { pending, queued })),
        Outcome::TimedOut(pending) => timed_out(ctx, creator, &pending).await,
        Outcome::Done => {}
    }
    roles::retire(ctx, id, slot.other()).await.map(|()| None)
}

async fn timed_out(ctx: &Context, creator: &Creator, pending: &[Pending]) {
    let event = Event {
        type_: EventType::Warning,
        reason: "CredentialHandoverTimedOut".into(),
        note: Some(format!(
            "the previous database role is retired although these Deployments are not Ready on \
             the new credential: {}",
            handover::describe(pending)
        )),
        action: "RotateCredentials".into(),
        secondary: None,
    };
    let _ = ctx.recorder.publish(&event, &creator.object_ref(&())).await;
}

/// Removes what database access made, if anything: an unchanged Creator without access writes
/// nothing.
async fn switched_off(ctx: &Context, creator: &Creator, id: CreatorId) -> Result<(), String> {
    let had_secret = creator
        .status
        .as_ref()
        .and_then(|s| s.credentials_secret.as_ref());
    let had_role =
        roles::exists(ctx, id, Slot::A).await? || roles::exists(ctx, id, Slot::B).await?;
    if had_secret.is_some() || had_role {
        remove(ctx, creator, id).await?;
    }
    Ok(())
}

/// Drops both roles and the Secret (all may already be gone).
pub async fn remove(ctx: &Context, creator: &Creator, id: CreatorId) -> Result<(), String> {
    roles::drop_all(ctx, id).await?;
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

/// The connection URL of the role, on the platform's database server.
pub fn role_url(database_url: &str, access: &Access) -> Result<url::Url, String> {
    let mut url = url::Url::parse(database_url).map_err(|e| format!("DATABASE_URL: {e}"))?;
    url.set_username(&access.role)
        .map_err(|()| "DATABASE_URL has no host".to_owned())?;
    url.set_password(Some(&access.password))
        .map_err(|()| "DATABASE_URL has no host".to_owned())?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_password_rotates_unless_a_hand_over_is_pending() {
        assert_eq!(plan(None, "p", false), Plan::Remake);
        assert_eq!(plan(None, "p", true), Plan::Remake);
        assert_eq!(plan(Some("p"), "p", true), Plan::Keep);
        assert_eq!(plan(Some("old"), "p", false), Plan::Rotate);
        assert_eq!(plan(Some("old"), "p", true), Plan::Queue);
    }
}
