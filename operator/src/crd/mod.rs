//! The custom resources of group `coachai.dev`, version `v1alpha1`, as Rust types; the CRD YAML
//! in `crds/` is generated from them (`make crds`), never written by hand.

mod condition;
mod creator;

pub use condition::{Condition, ConditionStatus};
pub use creator::{
    Creator, CreatorSpec, CreatorStatus, DatabaseAccess, ModelPull, Models, Owner, Plan, Quotas,
};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// Every CRD of the operator, in the order they are written to `crds/`.
pub fn all() -> Vec<(&'static str, CustomResourceDefinition)> {
    vec![("creator.yaml", Creator::crd())]
}

/// `crd` as the YAML document written to `crds/`.
pub fn to_yaml(crd: &CustomResourceDefinition) -> Result<String, serde_saphyr::ser::Error> {
    let body = serde_saphyr::to_string(crd)?;
    Ok(format!(
        "# Generated from operator/src/crd by `make crds`; do not edit.\n{body}"
    ))
}
