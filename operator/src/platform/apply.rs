//! Apply, services part: server-side apply (field manager `coachai-operator`, forced, so a
//! hand edit of a field the operator owns is taken back) of each service's Deployment, Service
//! and PodDisruptionBudget and of the Ingresses. The API server keeps an object whose applied
//! fields are unchanged as it is (same `resourceVersion`), so an unchanged spec writes nothing.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, Client, ResourceExt};
use serde_json::Value;

use super::PlatformError;
use super::ingress::ingresses;
use super::names::{ServiceKind, short_hash};
use super::workloads::{deployment, disruption_budget, service};
use crate::context::MANAGER;
use crate::crd::Platform;

/// The config hash of `platform`: its image, dependencies and the `resourceVersion` of every
/// Secret it references, so rotating a Secret rolls the services. A missing Secret is an error
/// the status names.
pub async fn config_hash(
    secrets: &Api<Secret>,
    platform: &Platform,
) -> Result<String, PlatformError> {
    let deps = &platform.spec.dependencies;
    let mut parts = vec![
        serde_json::to_string(&platform.spec.image)?,
        serde_json::to_string(deps)?,
    ];
    let channel_key = deps.channel_secrets_key.as_ref().map(|key| &key.name);
    let names = [
        &deps.database.name,
        &deps.migration_database.name,
        &deps.signing_keys_secret,
    ];
    for name in names.into_iter().chain(channel_key) {
        let found = secrets
            .get_opt(name)
            .await?
            .ok_or_else(|| PlatformError::MissingSecret(name.clone()))?;
        parts.push(found.resource_version().unwrap_or_default());
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Ok(short_hash(&parts))
}

/// Applies every service's objects and the Ingresses; gives back the Deployments as the API
/// server holds them after the apply.
pub async fn services(
    client: &Client,
    platform: &Platform,
    config_hash: &str,
) -> Result<Vec<(ServiceKind, Deployment)>, PlatformError> {
    let namespace = platform.namespace().unwrap_or_default();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &namespace);
    let services: Api<Service> = Api::namespaced(client.clone(), &namespace);
    let budgets: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), &namespace);
    let mut applied = Vec::new();
    for kind in ServiceKind::ALL {
        let name = kind.object_name(platform);
        let made = apply(
            &deployments,
            &name,
            &deployment(platform, kind, config_hash),
        )
        .await?;
        apply(&services, &name, &service(platform, kind)).await?;
        budget(&budgets, &name, disruption_budget(platform, kind)).await?;
        applied.push((kind, made));
    }
    let ingress_api: Api<Ingress> = Api::namespaced(client.clone(), &namespace);
    for (name, object) in ingresses(platform) {
        apply(&ingress_api, &name, &object).await?;
    }
    Ok(applied)
}

/// Applies the budget, or deletes one left from when the service had more replicas.
async fn budget(
    api: &Api<PodDisruptionBudget>,
    name: &str,
    wanted: Option<Value>,
) -> Result<(), PlatformError> {
    match wanted {
        Some(object) => apply(api, name, &object).await.map(drop),
        None if api.get_opt(name).await?.is_some() => {
            api.delete(name, &DeleteParams::default()).await?;
            Ok(())
        }
        None => Ok(()),
    }
}

async fn apply<K>(api: &Api<K>, name: &str, object: &Value) -> Result<K, PlatformError>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = PatchParams::apply(MANAGER).force();
    Ok(api.patch(name, &params, &Patch::Apply(object)).await?)
}
