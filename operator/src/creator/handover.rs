//! Apply, credential hand-over part: after a rotation the previous tenant role stays until the
//! Deployments of the Creator's namespace that use the credentials Secret (in `env` secret
//! references, `envFrom`, secret or projected volumes; containers and init containers) run on
//! the new credential. Each gets one merge patch of its pod template's annotation
//! [`ROLL`] (the new credential's hash), so its pods roll; a value already there is never
//! patched again. The reconcile never waits: it reports what is pending and is requeued.

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};
use kube::api::{ListParams, Patch, PatchParams};
use kube::{Api, ResourceExt};
use serde_json::json;

/// The pod template annotation that names the credential a Deployment's pods were started with.
pub const ROLL: &str = "coachai.dev/db-credentials";

/// A Deployment not yet Ready on the new credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The Deployment's name.
    pub name: String,
    /// Its replicas already on the new pod template.
    pub updated: i32,
    /// The replicas it wants.
    pub desired: i32,
}

/// Where a hand-over stands after one reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every Deployment using the Secret runs on the new credential (or none uses it).
    Done,
    /// These Deployments still roll.
    Rolling(Vec<Pending>),
    /// The hand-over lasted longer than allowed; these Deployments never became Ready.
    TimedOut(Vec<Pending>),
}

/// Whether the pod template of `deployment` reads the Secret `secret`.
pub fn uses_secret(deployment: &Deployment, secret: &str) -> bool {
    let Some(pod) = deployment.spec.template.spec.as_ref() else {
        return false;
    };
    let volumes = pod.volumes.iter().flatten();
    containers(pod).any(|c| container_uses(c, secret))
        || volumes.into_iter().any(|v| volume_uses(v, secret))
}

fn containers(pod: &PodSpec) -> impl Iterator<Item = &Container> {
    pod.containers
        .iter()
        .chain(pod.init_containers.iter().flatten())
}

fn container_uses(container: &Container, secret: &str) -> bool {
    let env = container.env.iter().flatten().any(|e| {
        let source = e.value_from.as_ref();
        source
            .and_then(|s| s.secret_key_ref.as_ref())
            .is_some_and(|r| r.name == secret)
    });
    let env_from = container
        .env_from
        .iter()
        .flatten()
        .any(|e| e.secret_ref.as_ref().is_some_and(|r| r.name == secret));
    env || env_from
}

fn volume_uses(volume: &Volume, secret: &str) -> bool {
    let direct = volume.secret.as_ref();
    let projected = volume.projected.as_ref().and_then(|p| p.sources.as_ref());
    direct.is_some_and(|s| s.secret_name.as_deref() == Some(secret))
        || projected
            .into_iter()
            .flatten()
            .any(|p| p.secret.as_ref().is_some_and(|s| s.name == secret))
}

/// The roll annotation of `deployment`'s pod template.
fn rolled_to(deployment: &Deployment) -> Option<&str> {
    let template = deployment.spec.template.metadata.as_ref()?;
    template.annotations.as_ref()?.get(ROLL).map(String::as_str)
}

/// `None` when `deployment` runs on the credential `hash` — its controller saw the generation
/// carrying it and every replica is updated and available — else what it still lacks.
pub fn pending(deployment: &Deployment, hash: &str) -> Option<Pending> {
    let desired = deployment.spec.replicas.unwrap_or(1);
    let status = deployment.status.clone().unwrap_or_default();
    let observed =
        status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(0);
    // Counts of a generation its controller has not seen yet are the old template's.
    let updated = status.updated_replicas.filter(|_| observed).unwrap_or(0);
    let settled = [
        updated,
        status.replicas.unwrap_or(0),
        status.available_replicas.unwrap_or(0),
    ]
    .iter()
    .all(|n| *n == desired);
    let ready = rolled_to(deployment) == Some(hash) && observed && settled;
    (!ready).then(|| Pending {
        name: deployment.name_any(),
        updated,
        desired,
    })
}

/// What the hand-over begun at `since` is, with `pending` Deployments, at `now`.
pub fn decide(
    pending: Vec<Pending>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: chrono::Duration,
) -> Outcome {
    match (pending.is_empty(), now - since >= limit) {
        (true, _) => Outcome::Done,
        (false, false) => Outcome::Rolling(pending),
        (false, true) => Outcome::TimedOut(pending),
    }
}

/// Rolls the Deployments of `namespace` that use `secret` to the credential `hash` and gives
/// back those not Ready on it yet.
pub async fn roll(
    client: &kube::Client,
    namespace: &str,
    secret: &str,
    hash: &str,
) -> Result<Vec<Pending>, String> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let failed = |e: kube::Error| format!("the Deployments using Secret {secret}: {e}");
    let listed = api.list(&ListParams::default()).await.map_err(failed)?;
    let mut waiting = Vec::new();
    for deployment in listed.items.into_iter().filter(|d| uses_secret(d, secret)) {
        let current = if rolled_to(&deployment) == Some(hash) {
            deployment
        } else {
            let patch = json!({"spec": {"template": {"metadata": {"annotations": {ROLL: hash}}}}});
            api.patch(
                &deployment.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
            .map_err(failed)?
        };
        waiting.extend(pending(&current, hash));
    }
    Ok(waiting)
}

/// How pending Deployments are named in the condition and the Event.
pub fn describe(pending: &[Pending]) -> String {
    let names: Vec<String> = pending
        .iter()
        .map(|p| format!("{} ({}/{} updated)", p.name, p.updated, p.desired))
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(pod: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "generation": 3},
            "spec": {"selector": {}, "template": {"spec": pod}},
        }))
        .unwrap()
    }

    #[test]
    fn every_way_a_pod_template_can_read_the_secret_is_found_and_no_other_secret_counts() {
        let uses = [
            json!({"containers": [{"name": "a", "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "c-db-credentials", "key": "uri"}}}]}]}),
            json!({"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "c-db-credentials"}}]}]}),
            json!({"containers": [{"name": "a"}], "initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "c-db-credentials"}}]}]}),
            json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "secret": {"secretName": "c-db-credentials"}}]}),
            json!({"containers": [{"name": "a"}], "volumes": [{"name": "v", "projected": {"sources": [{"configMap": {"name": "x"}}, {"secret": {"name": "c-db-credentials"}}]}}]}),
        ];
        for pod in uses {
            assert!(
                uses_secret(&deployment(pod.clone()), "c-db-credentials"),
                "{pod}"
            );
        }
        let other = json!({"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "other"}}]}], "volumes": [{"name": "v", "secret": {"secretName": "other"}}]});
        assert!(!uses_secret(&deployment(other), "c-db-credentials"));
    }

    fn rolled(generation: i64, observed: i64, counts: [i32; 3]) -> Deployment {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 2, "selector": {}, "template": {
                "metadata": {"annotations": {ROLL: "abc"}}, "spec": {"containers": [{"name": "a"}]}}},
            "status": {"observedGeneration": observed, "updatedReplicas": counts[0],
                       "replicas": counts[1], "availableReplicas": counts[2]},
        }))
        .unwrap()
    }

    #[test]
    fn a_deployment_is_ready_on_the_credential_only_when_every_replica_runs_the_seen_generation() {
        assert_eq!(pending(&rolled(4, 4, [2, 2, 2]), "abc"), None);
        let waiting = |d: &Deployment, hash| pending(d, hash).is_some();
        assert!(
            waiting(&rolled(4, 4, [2, 2, 2]), "new"),
            "another credential"
        );
        assert!(
            waiting(&rolled(4, 3, [2, 2, 2]), "abc"),
            "generation not seen"
        );
        assert!(waiting(&rolled(4, 4, [1, 3, 2]), "abc"), "an old pod left");
        assert!(waiting(&rolled(4, 4, [2, 2, 1]), "abc"), "not available");
        let p = pending(&rolled(4, 4, [1, 3, 2]), "abc").unwrap();
        assert_eq!((p.updated, p.desired), (1, 2));
    }

    #[test]
    fn a_hand_over_ends_when_nothing_is_pending_or_times_out() {
        let since = Utc::now();
        let hour = chrono::Duration::hours(1);
        let p = vec![Pending {
            name: "web".into(),
            updated: 0,
            desired: 1,
        }];
        assert_eq!(decide(vec![], since, since, hour), Outcome::Done);
        assert_eq!(
            decide(p.clone(), since, since, hour),
            Outcome::Rolling(p.clone())
        );
        assert_eq!(
            decide(p.clone(), since, since + hour, hour),
            Outcome::TimedOut(p.clone())
        );
        assert_eq!(describe(&p), "web (0/1 updated)");
    }
}
