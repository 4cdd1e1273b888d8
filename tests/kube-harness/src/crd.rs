//! Installing a CustomResourceDefinition for a test: server-side applied (so parallel tests that
//! install the same definition agree), then awaited until the API server serves it.

use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Patch, PatchParams};
use kube::runtime::wait::{await_condition, conditions};
use kube::{Api, Client};

use crate::{FIELD_MANAGER, HarnessError};

/// How long a freshly applied CRD may take to become `Established`.
const ESTABLISHED_TIMEOUT: Duration = Duration::from_secs(60);

/// Server-side applies `crd` (field manager [`FIELD_MANAGER`], forced) and waits until it is
/// `Established`, so that objects of its kind can be created right after this returns.
pub async fn apply_crd(
    client: Client,
    crd: &CustomResourceDefinition,
) -> Result<CustomResourceDefinition, HarnessError> {
    let api = Api::<CustomResourceDefinition>::all(client);
    let name = crd.metadata.name.clone().unwrap_or_default();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let applied = api.patch(&name, &params, &Patch::Apply(crd)).await?;
    let established = await_condition(api, &name, conditions::is_crd_established());
    match tokio::time::timeout(ESTABLISHED_TIMEOUT, established).await {
        Ok(Ok(_)) => Ok(applied),
        Ok(Err(e)) => Err(HarnessError::Wait(e)),
        Err(_) => Err(HarnessError::Timeout {
            what: format!("CustomResourceDefinition {name} to be Established"),
            seconds: ESTABLISHED_TIMEOUT.as_secs(),
        }),
    }
}
