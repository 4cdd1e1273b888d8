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
