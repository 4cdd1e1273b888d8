//! The `Platform` reconciler: read (the object and the Secrets it references, hashed) → migrate
//! ([`migration`]: the Job of the current image, waited for before anything else) → build
//! ([`workloads`], [`ingress`], [`job`], pure) → apply ([`apply`], server-side, owned by the
//! `Platform` so a delete cascades) → status ([`status`], built pure, written only when it
//! changed).

mod apply;
mod ingress;
mod job;
mod migration;
mod names;
mod pod;
mod status;
mod workloads;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::{Api, Resource, ResourceExt};
use serde_json::json;

pub use ingress::{UPLOADS_PATH, WEBSOCKET_PATH, ingresses};
pub use job::job as migration_job;
pub use migration::Migration;
pub use names::{CONFIG_HASH, ServiceKind};
pub use status::{Observed, Rollout, build as build_status};
pub use workloads::{deployment, disruption_budget, service};

use crate::context::Context;
use crate::crd::{Platform, PlatformStatus};

/// How soon a platform that is migrating or rolling out is looked at again.
const NOT_READY_RETRY: Duration = Duration::from_secs(5);

/// Why a reconcile failed (it is retried after 10 s).
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The Kubernetes API refused or failed.
    #[error("the Kubernetes API failed: {0}")]
    Kube(#[from] kube::Error),
    /// A desired object could not be built.
    #[error("a desired object could not be built: {0}")]
    Build(#[from] serde_json::Error),
    /// A Secret the spec references does not exist (the status says so; a retry follows).
    #[error("Secret {0} does not exist in the Platform's namespace")]
    MissingSecret(String),
}

/// Reconciles one `Platform`, counted and timed in `/metrics`.
pub async fn reconcile(
    platform: Arc<Platform>,
    ctx: Arc<Context>,
) -> Result<Action, PlatformError> {
    let started = std::time::Instant::now();
    ctx.reconciles
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let outcome = reconcile_once(&platform, &ctx).await;
    let result = if outcome.is_ok() { "ok" } else { "error" };
    metrics::counter!("coachai_operator_reconciles_total", "kind" => "Platform", "result" => result)
        .increment(1);
    metrics::histogram!("coachai_operator_reconcile_seconds", "kind" => "Platform")
        .record(started.elapsed().as_secs_f64());
    outcome
}

async fn reconcile_once(platform: &Platform, ctx: &Context) -> Result<Action, PlatformError> {
    if platform.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let observed = observe(platform, ctx).await?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let status = status::build(platform.status.as_ref(), &observed, &now);
    let ready = status.phase.as_deref() == Some("Ready");
    write_status(ctx, platform, status).await?;
    Ok(Action::requeue(if ready {
        ctx.config.operator.resync()
    } else {
        NOT_READY_RETRY
    }))
}

/// Hashes the referenced Secrets, runs the migration, then (once it succeeded) applies the
/// services; a missing Secret is observed, not returned.
async fn observe(platform: &Platform, ctx: &Context) -> Result<Observed, PlatformError> {
    let namespace = platform.namespace().unwrap_or_default();
    let mut observed = Observed {
        generation: platform.metadata.generation,
        tag: platform.spec.image.tag.clone(),
        ..Observed::default()
    };
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &namespace);
    let hash = match apply::config_hash(&secrets, platform).await {
        Err(e @ PlatformError::MissingSecret(_)) => {
            observed.blocked = Some(e.to_string());
            return Ok(observed);
        }
        other => other?,
    };
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &namespace);
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &namespace);
    let migration = migration::ensure(&jobs, &pods, platform).await?;
    if matches!(migration, Migration::Succeeded(_)) {
        let applied = apply::services(&ctx.client, platform, &hash).await?;
        observed.services = applied
            .iter()
            .map(|(kind, d)| Rollout::of(*kind, d))
            .collect();
    }
    observed.migration = Some(migration);
    Ok(observed)
}

async fn write_status(
    ctx: &Context,
    platform: &Platform,
    status: PlatformStatus,
) -> Result<(), PlatformError> {
    if platform.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let api: Api<Platform> = Api::namespaced(
        ctx.client.clone(),
        &platform.namespace().unwrap_or_default(),
    );
    let patch = json!({ "status": status });
    api.patch_status(
        &platform.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await?;
    Ok(())
}

/// What to do after a failed reconcile: a Warning Event, then a retry in 10 s.
pub fn error_policy(platform: Arc<Platform>, error: &PlatformError, ctx: Arc<Context>) -> Action {
    ctx.retry_after_failure(platform.object_ref(&()), error.to_string())
}
