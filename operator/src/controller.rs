//! Runs the reconcilers side by side until the shutdown signal: `Creator`s with the Secrets
//! they own (a deleted Secret is made again), and `Platform`s with the Deployments and Jobs
//! they own (a deleted or hand-edited Deployment is restored, a finished migration moves on).

use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Secret;
use kube::runtime::Controller;
use kube::runtime::watcher::Config as WatcherConfig;
use kube::{Api, Client, Resource};

use crate::context::Context;
use crate::crd::{Creator, Platform};
use crate::{creator, platform};

/// The label of every object the operator makes; its watches are limited to them.
const MANAGED: &str = "app.kubernetes.io/managed-by=coachai-operator";

/// Reconciles every `Creator` and `Platform` of `namespace` (all namespaces: `None`) until
/// `shutdown` completes.
pub async fn run(
    ctx: Arc<Context>,
    namespace: Option<&str>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let shutdown = shutdown.shared();
    let client = ctx.client.clone();
    let gc = crate::models::collect_forever(ctx.clone(), namespace.map(str::to_owned));
    // At most 16 reconciles at once: each holds a database connection for a moment, and 500
    // Creators applied together must not queue on the pool's timeout.
    let creators = Controller::new(api::<Creator>(&client, namespace), WatcherConfig::default())
        .with_config(kube::runtime::controller::Config::default().concurrency(16))
        .owns(
            api::<Secret>(&client, namespace),
            WatcherConfig::default().labels(MANAGED),
        )
        .graceful_shutdown_on(shutdown.clone())
        .run(creator::reconcile, creator::error_policy, ctx.clone())
        .for_each(|outcome| async move {
            log(outcome.map(|o| o.0.to_string()).map_err(|e| e.to_string()))
        });
    let platforms = Controller::new(
        api::<Platform>(&client, namespace),
        WatcherConfig::default(),
    )
    .owns(
        api::<Deployment>(&client, namespace),
        WatcherConfig::default().labels(MANAGED),
    )
    .owns(
        api::<Job>(&client, namespace),
        WatcherConfig::default().labels(MANAGED),
    )
    .graceful_shutdown_on(shutdown)
    .run(platform::reconcile, platform::error_policy, ctx)
    .for_each(|outcome| async move {
        log(outcome.map(|o| o.0.to_string()).map_err(|e| e.to_string()))
    });
    // The model clean-up loop never ends by itself: it stops with the controllers.
    tokio::select! {
        ((), ()) = futures::future::join(creators, platforms) => {},
        () = gc => {},
    }
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

fn log(outcome: Result<String, String>) {
    tracing::debug!(?outcome, "reconcile finished");
}
