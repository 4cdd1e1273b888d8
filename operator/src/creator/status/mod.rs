//! Status: the conditions, the phase and the names of what was made, built from what the apply
//! steps observed (pure), and written only when they changed — an unchanged `Creator` costs
//! no write. A condition keeps its `lastTransitionTime` while its status stays the same.

mod models;

use models::{model_pulls, models};

use super::access::Handover;
use super::handover::describe;
use super::owner::HandOver;
use super::probes::{Isolation, ModelPresence};
use crate::crd::{Condition, ConditionStatus, CreatorStatus};

/// What the apply steps found, each step's error in words.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The object's generation.
    pub generation: Option<i64>,
    /// The tenant's id.
    pub creator_id: String,
    /// The tenant's rows and settings.
    pub database: Result<(), String>,
    /// The tenant's database role and its credentials Secret, when database access is on.
    pub access: Result<Option<(String, String)>, String>,
    /// The credential hand-over in progress, if any.
    pub handover: Option<Handover>,
    /// `spec.suspended`.
    pub suspended: bool,
    /// The owner hand-over.
    pub owner: Result<HandOver, String>,
    /// The isolation check.
    pub isolation: Result<Isolation, String>,
    /// The vector collection.
    pub collection: Result<String, String>,
    /// The models on the Ollama server.
    pub models: Result<Vec<ModelPresence>, String>,
}

/// The status for `observed`, carrying over transition times from `previous`.
pub fn build(previous: Option<&CreatorStatus>, observed: &Observed, now: &str) -> CreatorStatus {
    let parts = [
        ("DatabaseReady", database(observed)),
        ("IsolationVerified", isolation(observed)),
        (
            "VectorStoreReady",
            result(
                &observed.collection,
                "CollectionReady",
                "the collection exists",
            ),
        ),
        ("ModelsReady", models(observed)),
    ];
    let not_ready: Vec<&str> = parts
        .iter()
        .filter(|(_, (status, ..))| *status != ConditionStatus::True)
        .map(|(name, _)| *name)
        .collect();
    let ready = if not_ready.is_empty() {
        (
            ConditionStatus::True,
            "AllReady".to_owned(),
            "the tenant is ready".to_owned(),
        )
    } else {
        (
            ConditionStatus::False,
            "NotReady".to_owned(),
            format!("waiting for {}", not_ready.join(", ")),
        )
    };
    let mut conditions: Vec<Condition> = parts
        .into_iter()
        .chain([("Ready", ready)])
        .map(|(name, (status, reason, message))| {
            condition(
                previous,
                name,
                status,
                reason,
                message,
                observed.generation,
                now,
            )
        })
        .collect();
    conditions.sort_by(|a, b| a.type_.cmp(&b.type_));
    CreatorStatus {
        observed_generation: observed.generation,
        phase: Some(phase(observed, not_ready.is_empty()).into()),
        conditions,
        creator_id: Some(observed.creator_id.clone()),
        invitation_secret: match &observed.owner {
            Ok(HandOver::Invited { secret }) => Some(secret.clone()),
            _ => None,
        },
        database_role: observed
            .access
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .map(|a| a.0.clone()),
        credentials_secret: observed
            .access
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .map(|a| a.1.clone()),
        collection: observed.collection.as_ref().ok().cloned(),
        models: model_pulls(observed),
    }
}

/// A condition's status, reason and message.
pub(super) type Part = (ConditionStatus, String, String);

fn result<T>(outcome: &Result<T, String>, reason: &str, message: &str) -> Part {
    match outcome {
        Ok(_) => (ConditionStatus::True, reason.into(), message.into()),
        Err(e) => (ConditionStatus::False, "Failed".into(), e.clone()),
    }
}

fn database(observed: &Observed) -> Part {
    let failed = observed
        .database
        .as_ref()
        .err()
        .or(observed.owner.as_ref().err());
    if let Some(e) = failed {
        return (ConditionStatus::False, "Failed".into(), e.clone());
    }
    match &observed.access {
        Err(e) => (
            ConditionStatus::False,
            "DatabaseAccessFailed".into(),
            e.clone(),
        ),
        Ok(Some((role, secret))) => match &observed.handover {
            Some(handover) => rotating(role, secret, handover),
            None => (
                ConditionStatus::True,
                "RoleReady".into(),
                format!(
                    "the tenant's rows exist; role {role} logs in with the credentials in Secret {secret}"
                ),
            ),
        },
        Ok(None) => (
            ConditionStatus::True,
            "RowsReady".into(),
            "the creator row, its settings and its owner exist".into(),
        ),
    }
}

fn rotating(role: &str, secret: &str, handover: &Handover) -> Part {
    let queued = if handover.queued {
        "; the newer rotation asked waits for this hand-over to end"
    } else {
        ""
    };
    (
        ConditionStatus::True,
        "RotatingCredentials".into(),
        format!(
            "role {role} logs in with the credentials in Secret {secret}; the previous role \
             stays until these Deployments run on them: {}{queued}",
            describe(&handover.pending)
        ),
    )
}

/// What a tenant whose vector path reaches other tenants' vectors is told (condition and Event).
pub fn foreign_vectors_message(foreign: &[coachai_common::tenancy::CreatorId]) -> String {
    let names: Vec<String> = foreign.iter().map(ToString::to_string).collect();
    format!(
        "the tenant's vector path reaches the vectors of {} other tenant(s): {}",
        names.len(),
        names.join(", ")
    )
}

fn isolation(observed: &Observed) -> Part {
    match &observed.isolation {
        Ok(found) if !found.foreign_vectors.is_empty() => (
            ConditionStatus::False,
            "CrossTenantVectors".into(),
            foreign_vectors_message(&found.foreign_vectors),
        ),
        Ok(found) if found.repaired.is_empty() => (
            ConditionStatus::True,
            "Verified".into(),
            "no other tenant's rows or vectors are visible; row level security is forced on every tenant table".into(),
        ),
        Ok(found) => (
            ConditionStatus::True,
            "RowLevelSecurityRepaired".into(),
            format!("row level security was off and is on again for: {}", found.repaired.join(", ")),
        ),
        Err(e) => (ConditionStatus::False, "Failed".into(), e.clone()),
    }
}

fn phase(observed: &Observed, ready: bool) -> &'static str {
    let failed = observed.database.is_err()
        || observed.owner.is_err()
        || observed
            .isolation
            .as_ref()
            .map_or(true, |found| !found.foreign_vectors.is_empty());
    match (observed.suspended, ready, failed) {
        (true, _, _) => "Suspended",
        (false, true, _) => "Ready",
        (false, false, true) => "Failed",
        (false, false, false) => "Provisioning",
    }
}

fn condition(
    previous: Option<&CreatorStatus>,
    name: &str,
    status: ConditionStatus,
    reason: String,
    message: String,
    generation: Option<i64>,
    now: &str,
) -> Condition {
    let before = previous.and_then(|p| p.conditions.iter().find(|c| c.type_ == name));
    let last_transition_time = match before {
        Some(before) if before.status == status => before.last_transition_time.clone(),
        _ => now.to_owned(),
    };
    Condition {
        type_: name.into(),
        status,
        reason,
        message,
        last_transition_time,
        observed_generation: generation,
    }
}
