//! Status (pure): the conditions `Migrated`, `ServicesReady` and `Ready`, the phase, the
//! migration version and each service's replicas, from what the apply steps found. A condition
//! keeps its `lastTransitionTime` while its status holds, so an unchanged platform builds the
//! same status and the reconciler writes nothing.

use k8s_openapi::api::apps::v1::Deployment;

use super::migration::Migration;
use super::names::ServiceKind;
use crate::crd::{Condition, ConditionStatus, PlatformStatus, ServiceStatus};

/// What the apply steps found.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The object's generation.
    pub generation: Option<i64>,
    /// The image tag of the spec.
    pub tag: String,
    /// Why nothing could start (a referenced Secret is missing).
    pub blocked: Option<String>,
    /// The migration of the current image.
    pub migration: Option<Migration>,
    /// Each service's Deployment once applied (empty before the migration succeeded).
    pub services: Vec<Rollout>,
}

/// How far one service's Deployment has rolled out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    /// The service.
    pub service: &'static str,
    /// Replicas asked for.
    pub desired: i32,
    /// Replicas available on the current pod template.
    pub ready: i32,
    /// Every replica runs the current template and no old one is left.
    pub complete: bool,
}

impl Rollout {
    /// The rollout of `service` as `deployment`'s status tells.
    pub fn of(service: ServiceKind, deployment: &Deployment) -> Self {
        let desired = deployment.spec.replicas.unwrap_or(1);
        let status = deployment.status.clone().unwrap_or_default();
        let updated = status.updated_replicas.unwrap_or(0);
        let available = status.available_replicas.unwrap_or(0);
        let observed = status.observed_generation >= deployment.metadata.generation;
        let ready = updated.min(available);
        Self {
            service: service.name(),
            desired,
            ready,
            complete: observed && ready >= desired && status.replicas.unwrap_or(0) == desired,
        }
    }
}

type Part = (ConditionStatus, &'static str, String);

/// The status for `observed`, carrying over transition times from `previous`.
pub fn build(previous: Option<&PlatformStatus>, observed: &Observed, now: &str) -> PlatformStatus {
    let migrated = migrated(observed);
    let services = services_ready(observed);
    let ready = match (&migrated.0, &services.0) {
        (ConditionStatus::True, ConditionStatus::True) => (
            ConditionStatus::True,
            "AllReady",
            "the platform serves".to_owned(),
        ),
        _ => (
            ConditionStatus::False,
            "NotReady",
            format!("{}; {}", migrated.2, services.2),
        ),
    };
    let phase = phase(observed, ready.0 == ConditionStatus::True);
    let conditions = [
        ("Migrated", migrated),
        ("ServicesReady", services),
        ("Ready", ready),
    ]
    .into_iter()
    .map(|(kind, part)| condition(previous, kind, part, observed.generation, now))
    .collect();
    let succeeded = matches!(observed.migration, Some(Migration::Succeeded(_)));
    let ready_count = observed.services.iter().filter(|s| s.complete).count();
    PlatformStatus {
        observed_generation: observed.generation,
        phase: Some(phase.into()),
        conditions,
        migration_version: if succeeded {
            Some(observed.tag.clone())
        } else {
            previous.and_then(|p| p.migration_version.clone())
        },
        migration_job: observed.migration.as_ref().map(|m| job_name(m).to_owned()),
        ready_services: Some(format!("{ready_count}/{}", ServiceKind::ALL.len())),
        services: observed
            .services
            .iter()
            .map(|s| ServiceStatus {
                name: s.service.into(),
                ready_replicas: s.ready,
                desired_replicas: s.desired,
            })
            .collect(),
    }
}

fn job_name(migration: &Migration) -> &str {
    match migration {
        Migration::Running(job) | Migration::Succeeded(job) | Migration::Failed(job, _) => job,
    }
}

fn migrated(observed: &Observed) -> Part {
    if let Some(blocked) = &observed.blocked {
        return (ConditionStatus::False, "SecretMissing", blocked.clone());
    }
    match &observed.migration {
        Some(Migration::Succeeded(job)) => (
            ConditionStatus::True,
            "Succeeded",
            format!("migration Job {job} completed"),
        ),
        Some(Migration::Failed(_, message)) => (ConditionStatus::False, "Failed", message.clone()),
        Some(Migration::Running(job)) => (
            ConditionStatus::False,
            "Running",
            format!("migration Job {job} is running"),
        ),
        None => (
            ConditionStatus::Unknown,
            "NotStarted",
            "the migration has not started".into(),
        ),
    }
}

fn services_ready(observed: &Observed) -> Part {
    if observed.services.is_empty() {
        let why = "the services wait for the migration".to_owned();
        return (ConditionStatus::False, "WaitingForMigration", why);
    }
    let waiting: Vec<String> = observed
        .services
        .iter()
        .filter(|s| !s.complete)
        .map(|s| format!("{} ({}/{})", s.service, s.ready, s.desired))
        .collect();
    if waiting.is_empty() {
        let message = "every service's replicas are available".to_owned();
        return (ConditionStatus::True, "AllAvailable", message);
    }
    (
        ConditionStatus::False,
        "RollingOut",
        format!("waiting for {}", waiting.join(", ")),
    )
}

fn phase(observed: &Observed, ready: bool) -> &'static str {
    let failed = matches!(observed.migration, Some(Migration::Failed(..)));
    match (
        observed.blocked.is_some() || failed,
        ready,
        observed.services.is_empty(),
    ) {
        (true, _, _) => "Failed",
        (false, true, _) => "Ready",
        (false, false, true) => "Migrating",
        (false, false, false) => "Deploying",
    }
}

fn condition(
    previous: Option<&PlatformStatus>,
    kind: &str,
    (status, reason, message): Part,
    generation: Option<i64>,
    now: &str,
) -> Condition {
    let before = previous.and_then(|p| p.conditions.iter().find(|c| c.type_ == kind));
    let last_transition_time = match before {
        Some(before) if before.status == status => before.last_transition_time.clone(),
        _ => now.to_owned(),
    };
    Condition {
        type_: kind.into(),
        status,
        reason: reason.into(),
        message,
        last_transition_time,
        observed_generation: generation,
    }
}
