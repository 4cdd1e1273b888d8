//! The migration Job (pure): `coachai migrate` with the platform's image and the migration
//! owner's database URL. Its name carries a hash of the image and the migration Secret
//! reference, so a new image (or database) runs a new Job and an unchanged one never reruns.

use kube::ResourceExt;
use serde_json::{Value, json};

use super::names::{image, metadata, short_hash};
use super::pod::{from_secret, pod_security_context, security_context};
use crate::crd::Platform;

/// The component label of migration Jobs.
pub const COMPONENT: &str = "migration";

/// The name of the migration Job of `platform`'s current image (at most 63 characters, so the
/// Job controller's `job-name` label fits).
pub fn name(platform: &Platform) -> String {
    let secret = &platform.spec.dependencies.migration_database;
    let hash = short_hash(&[&image(platform), &secret.name, &secret.key]);
    let base: String = platform.name_any().chars().take(41).collect();
    format!("{}-migrate-{hash}", base.trim_end_matches('-'))
}

/// The migration Job of `platform`.
pub fn job(platform: &Platform) -> Value {
    let deps = &platform.spec.dependencies;
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(platform, &name(platform), COMPONENT),
        "spec": {
            "backoffLimit": 3,
            "activeDeadlineSeconds": 1800,
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "coachai", "app.kubernetes.io/component": COMPONENT}},
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": false,
                    "securityContext": pod_security_context(),
                    "containers": [{
                        "name": "migrate",
                        "image": image(platform),
                        "imagePullPolicy": platform.spec.image.pull_policy,
                        "command": ["coachai"],
                        "args": ["migrate"],
                        "env": [from_secret("DATABASE_URL", &deps.migration_database)],
                        "securityContext": security_context(),
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                    }],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    })
}
