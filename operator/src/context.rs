//! What every reconcile shares: the Kubernetes client, the platform's database, the
//! revocations (suspension) and the vector store, and the settings.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use coachai_ai_engine::vectors::VectorStore;
use coachai_common::auth::Revocations;
use coachai_common::tenancy::Db;
use kube::Client;
use kube::runtime::events::Recorder;

use crate::settings::Config;

/// The field manager of every server-side apply of the operator.
pub const MANAGER: &str = "coachai-operator";

/// The shared handles of the reconcilers.
pub struct Context {
    /// The Kubernetes API.
    pub client: Client,
    /// PostgreSQL, as the provisioning role.
    pub db: Db,
    /// Suspensions reach the services through it.
    pub revocations: Arc<Revocations>,
    /// The tenants' collections.
    pub vectors: VectorStore,
    /// Publishes Kubernetes Events about the objects.
    pub recorder: Recorder,
    /// The settings.
    pub config: Config,
    /// Model pulls in the background.
    pub puller: Arc<crate::models::Puller>,
    /// Reconciles run by this process (also in `/metrics`).
    pub reconciles: AtomicU64,
}

impl Context {
    /// After a failed reconcile of the object `reference` names: a log line, a Warning Event
    /// `ReconcileFailed` with the error (published in the background), and a retry in 10 s.
    pub fn retry_after_failure(
        self: Arc<Self>,
        reference: k8s_openapi::api::core::v1::ObjectReference,
        error: String,
    ) -> kube::runtime::controller::Action {
        tracing::warn!(kind = ?reference.kind, name = ?reference.name, namespace = ?reference.namespace, %error, "reconcile failed");
        tokio::spawn(async move {
            let event = kube::runtime::events::Event {
                type_: kube::runtime::events::EventType::Warning,
                reason: "ReconcileFailed".into(),
                note: Some(error),
                action: "Reconcile".into(),
                secondary: None,
            };
            let _ = self.recorder.publish(&event, &reference).await;
        });
        kube::runtime::controller::Action::requeue(std::time::Duration::from_secs(10))
    }
}
