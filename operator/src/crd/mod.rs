//! The custom resources of group `coachai.dev`, version `v1alpha1`, as Rust types; the CRD YAML
//! in `crds/` is generated from them (`make crds`), never written by hand.

mod condition;
mod creator;
mod platform;
mod platform_ingress;
mod platform_status;
mod reference;

pub use condition::{Condition, ConditionStatus};
pub use creator::{
    Creator, CreatorSpec, CreatorStatus, DatabaseAccess, ModelPull, Models, Owner, Plan, Quotas,
};
pub use platform::{
    Amounts, Dependencies, Image, Platform, PlatformSpec, PullPolicy, Resources, SecretKeyRef,
    ServiceSettings, Services,
};
pub use platform_ingress::{BodySizes, Ingress, RateLimit};
pub use platform_status::{PlatformStatus, ServiceStatus};
pub use reference::{REFERENCE_PATH, markdown as reference};

use std::path::{Path, PathBuf};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// Every CRD of the operator, in the order they are written to `crds/`.
pub fn all() -> Vec<(&'static str, CustomResourceDefinition)> {
    vec![
        ("creator.yaml", Creator::crd()),
        ("platform.yaml", Platform::crd()),
    ]
}

/// `crd` as the YAML document written to `crds/`, keys sorted at every level: the same bytes
/// whichever features of `serde_json` a build unified (key order differs with
/// `preserve_order`).
pub fn to_yaml(crd: &CustomResourceDefinition) -> Result<String, serde_saphyr::ser::Error> {
    let value =
        serde_json::to_value(crd).map_err(|e| serde_saphyr::ser::Error::from(e.to_string()))?;
    let body = serde_saphyr::to_string(&sorted(value))?;
    Ok(format!(
        "# Generated from operator/src/crd by `make crds`; do not edit.\n{body}"
    ))
}

/// Why a CRD file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {reason}", path.display())]
pub struct WriteError {
    /// The file that was not written.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// Writes every CRD of [`all`] as [`to_yaml`] into `dir` (`coachai-operator crds <dir>` and
/// `coachai crds <dir>`); returns the files written, in order.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    for (file, crd) in all() {
        let path = dir.join(file);
        let result = to_yaml(&crd)
            .map_err(|e| e.to_string())
            .and_then(|yaml| std::fs::write(&path, yaml).map_err(|e| e.to_string()));
        match result {
            Ok(()) => written.push(path),
            Err(reason) => return Err(WriteError { path, reason }),
        }
    }
    Ok(written)
}

fn sorted(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}
