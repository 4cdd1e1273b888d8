//! The `Creator` reconciler: read (the object, given) → validate ([`validate`], pure) → build
//! and apply ([`database`], [`owner`], [`probes`]) → status ([`status`], built pure, written
//! only when it changed). A finalizer removes the tenant before the object goes ([`cleanup`]).

mod access;
mod cleanup;
mod database;
mod handover;
mod owner;
mod probes;
mod quantity;
mod roles;
mod scram;
mod secret;
mod status;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType};
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

pub use status::Observed;
pub use validate::{InvalidCreator, Wanted};

use crate::context::Context;
use crate::crd::{Creator, CreatorStatus};

/// The finalizer that holds a `Creator` until its tenant is removed.
pub const FINALIZER: &str = "coachai.dev/tenant-cleanup";
/// An annotation that pauses reconciliation of one object while it is `"true"`.
pub const PAUSED: &str = "coachai.dev/paused";
/// How soon a tenant that is not ready yet is looked at again.
const NOT_READY_RETRY: Duration = Duration::from_secs(15);
/// How soon a credential hand-over is looked at again (the Deployments it waits for are not
/// watched).
const HANDOVER_RETRY: Duration = Duration::from_secs(5);

/// Why a reconcile failed (it is retried with backoff).
#[derive(Debug, thiserror::Error)]
pub enum CreatorError {
    /// The spec cannot be provisioned as written.
    #[error(transparent)]
    Invalid(#[from] InvalidCreator),
    /// The Kubernetes API refused or failed.
    #[error("the Kubernetes API failed: {0}")]
    Kube(#[from] kube::Error),
    /// Adding or removing the finalizer failed, or the clean-up did.
    #[error("{0}")]
    Finalizer(String),
    /// Removing the tenant failed; the object stays until it succeeds.
    #[error("removing the tenant failed: {0}")]
    Cleanup(String),
}

/// Reconciles one `Creator`, counted and timed in `/metrics`.
pub async fn reconcile(creator: Arc<Creator>, ctx: Arc<Context>) -> Result<Action, CreatorError> {
    let started = std::time::Instant::now();
    ctx.reconciles
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let outcome = reconcile_once(creator, ctx).await;
    let result = if outcome.is_ok() { "ok" } else { "error" };
    metrics::counter!("coachai_operator_reconciles_total", "kind" => "Creator", "result" => result)
        .increment(1);
    metrics::histogram!("coachai_operator_reconcile_seconds", "kind" => "Creator")
        .record(started.elapsed().as_secs_f64());
    outcome
}

async fn reconcile_once(creator: Arc<Creator>, ctx: Arc<Context>) -> Result<Action, CreatorError> {
    if creator
        .annotations()
        .get(PAUSED)
        .is_some_and(|v| v == "true")
    {
        return Ok(Action::await_change());
    }
    let namespace = creator.namespace().unwrap_or_default();
    let api: Api<Creator> = Api::namespaced(ctx.client.clone(), &namespace);
    finalizer(&api, FINALIZER, creator, |event| async {
        match event {
            Event::Apply(creator) => apply(&api, &creator, &ctx).await,
            Event::Cleanup(creator) => cleanup::run(&creator, &ctx).await,
        }
    })
    .await
    .map_err(|e| CreatorError::Finalizer(e.to_string()))
}

/// What to do after a failed reconcile: a Warning Event, then a retry in 10 s.
pub fn error_policy(creator: Arc<Creator>, error: &CreatorError, ctx: Arc<Context>) -> Action {
    ctx.retry_after_failure(creator.object_ref(&()), error.to_string())
}

async fn apply(
    api: &Api<Creator>,
    creator: &Creator,
    ctx: &Context,
) -> Result<Action, CreatorError> {
    let wanted = validate::wanted(creator)?;
    let observed = observe(ctx, creator, &wanted).await;
    count_failed_steps(&observed);
    warn_about(ctx, creator, &observed).await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let status = status::build(creator.status.as_ref(), &observed, &now);
    let ready =
        status.phase.as_deref() == Some("Ready") || status.phase.as_deref() == Some("Suspended");
    write_status(api, creator, status).await?;
    let mut next = if ready {
        ctx.config.operator.resync()
    } else {
        NOT_READY_RETRY
    };
    if observed.handover.is_some() {
        next = next.min(HANDOVER_RETRY);
    }
    Ok(Action::requeue(next))
}

/// Runs every apply step; a step's failure is observed, not returned, so the status tells
/// about every part.
async fn observe(ctx: &Context, creator: &Creator, wanted: &Wanted) -> Observed {
    let (database, owner, access) = tenant(ctx, creator, wanted).await;
    let isolation = isolation(ctx, wanted, access.as_ref().ok().and_then(Option::as_ref)).await;
    Observed {
        generation: creator.metadata.generation,
        creator_id: wanted.id.0.to_string(),
        database,
        handover: access
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .and_then(|a| a.handover.clone()),
        access: access.map(|made| made.map(|a| (a.role, a.secret))),
        suspended: creator.spec.suspended,
        owner,
        isolation,
        collection: probes::collection(ctx, wanted.id).await,
        models: probes::models(ctx, creator).await,
    }
}

type Step<T> = Result<T, String>;

/// The tenant's rows and settings, then (once they exist) its owner, suspension and access.
async fn tenant(
    ctx: &Context,
    creator: &Creator,
    wanted: &Wanted,
) -> (
    Step<()>,
    Step<owner::HandOver>,
    Step<Option<access::Access>>,
) {
    let settings = database::RowSettings::from_spec(&creator.spec);
    let synced = match settings {
        Ok(settings) => database::ensure(&ctx.db, wanted, &settings)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    let Ok(synced) = synced else {
        let waiting = "waiting for the tenant's rows".to_owned();
        return (synced.map(drop), Err(waiting.clone()), Err(waiting));
    };
    let owner = owner::ensure(ctx, creator, wanted).await;
    suspension(ctx, creator, wanted, synced.wrote).await;
    let access = access::ensure(ctx, creator, wanted.id).await;
    (Ok(()), owner, access)
}

/// The isolation check, and the probe as the tenant's own role when it has one.
async fn isolation(
    ctx: &Context,
    wanted: &Wanted,
    access: Option<&access::Access>,
) -> Step<probes::Isolation> {
    let mut found = probes::isolation(ctx, wanted.id).await?;
    probes::as_tenant_role(ctx, wanted.id, access).await?;
    found.foreign_vectors = probes::foreign_vectors(ctx, wanted.id).await?;
    Ok(found)
}

/// Makes the services refuse (or accept again) the tenant's existing tokens when
/// `spec.suspended` changed; logins follow the creator row's status.
async fn suspension(ctx: &Context, creator: &Creator, wanted: &Wanted, wrote: bool) {
    let was = creator.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Suspended");
    let suspended = creator.spec.suspended;
    let outcome = match (suspended && (!was || wrote), !suspended && was) {
        (true, _) => ctx.revocations.suspend_creator(wanted.id.0).await,
        (false, true) => ctx.revocations.resume_creator(wanted.id.0).await,
        (false, false) => Ok(()),
    };
    if let Err(e) = outcome {
        warn_redis(&e);
    }
}

fn warn_redis(error: &coachai_common::AppError) {
    tracing::warn!(%error, "the suspension could not reach Redis");
}

/// `coachai_operator_step_errors_total{kind="Creator", step}`: which apply step failed.
fn count_failed_steps(observed: &Observed) {
    let steps = [
        ("database", observed.database.is_err()),
        ("owner", observed.owner.is_err()),
        ("access", observed.access.is_err()),
        ("isolation", observed.isolation.is_err()),
        ("collection", observed.collection.is_err()),
        ("models", observed.models.is_err()),
    ];
    for (step, _) in steps.iter().filter(|(_, failed)| *failed) {
        metrics::counter!("coachai_operator_step_errors_total", "kind" => "Creator", "step" => *step)
            .increment(1);
    }
}

/// Warning Events for what the isolation check found: repaired row level security, and other
/// tenants' vectors reachable from this tenant's path.
async fn warn_about(ctx: &Context, creator: &Creator, observed: &Observed) {
    let Ok(isolation) = &observed.isolation else {
        return;
    };
    let repaired = (!isolation.repaired.is_empty()).then(|| {
        (
            "RowLevelSecurityRepaired",
            format!(
                "row level security was off on {}; switched back on",
                isolation.repaired.join(", ")
            ),
        )
    });
    let foreign = (!isolation.foreign_vectors.is_empty()).then(|| {
        (
            "CrossTenantVectors",
            status::foreign_vectors_message(&isolation.foreign_vectors),
        )
    });
    for (reason, note) in repaired.into_iter().chain(foreign) {
        let event = KubeEvent {
            type_: EventType::Warning,
            reason: reason.into(),
            note: Some(note),
            action: "VerifyIsolation".into(),
            secondary: None,
        };
        let _ = ctx.recorder.publish(&event, &creator.object_ref(&())).await;
    }
}

async fn write_status(
    api: &Api<Creator>,
    creator: &Creator,
    status: CreatorStatus,
) -> Result<(), CreatorError> {
    if creator.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let patch = json!({ "status": status });
    api.patch_status(
        &creator.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await?;
    Ok(())
}
