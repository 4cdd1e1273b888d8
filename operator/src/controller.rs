//! Runs the reconcilers: watches `Creator`s and the Secrets they own (a deleted Secret is made
//! again), until the shutdown signal.

use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::runtime::Controller;
use kube::runtime::watcher::Config as WatcherConfig;

use crate::context::Context;
use crate::crd::Creator;
use crate::creator::{error_policy, reconcile};

/// Reconciles every `Creator` of `namespace` (all namespaces: `None`) until `shutdown`
/// completes.
pub async fn run(
    ctx: Arc<Context>,
    namespace: Option<&str>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let client = ctx.client.clone();
    let (creators, secrets): (Api<Creator>, Api<Secret>) = match namespace {
        Some(ns) => (
            Api::namespaced(client.clone(), ns),
            Api::namespaced(client, ns),
        ),
        None => (Api::all(client.clone()), Api::all(client)),
    };
    let gc = crate::models::collect_forever(ctx.clone(), namespace.map(str::to_owned));
    let creators = Controller::new(creators, WatcherConfig::default())
        .owns(secrets, WatcherConfig::default().labels("app.kubernetes.io/managed-by=coachai-operator"))
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|outcome| async move {
            match outcome {
                Ok((object, _)) => tracing::debug!(name = %object.name, namespace = ?object.namespace, "reconciled"),
                Err(e) => tracing::debug!(error = %e, "reconcile error"),
            }
        })
        ;
    tokio::select! {
        () = creators => {},
        () = gc => {},
    }
}
