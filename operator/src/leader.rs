//! Leader election on a Lease (kube-lease-manager): of several operator replicas only the one
//! holding the Lease reconciles; when it stops or loses the Lease, another takes over within
//! the Lease's duration. A replica that loses the Lease stops its controller and waits to win
//! it again.

use std::future::Future;
use std::time::Duration;

use kube::Client;
use kube_lease_manager::LeaseManagerBuilder;
use tokio::sync::watch;

/// How the Lease is held.
#[derive(Debug, Clone)]
pub struct LeaseSettings {
    /// The Lease's namespace.
    pub namespace: String,
    /// The Lease's name.
    pub name: String,
    /// This replica's identity (its pod name, and a random suffix).
    pub identity: String,
    /// Seconds a holder's claim lasts without renewal.
    pub duration_secs: u64,
}

/// Why leader election could not run.
#[derive(Debug, thiserror::Error)]
#[error("leader election failed: {0}")]
pub struct LeaderError(String);

/// Runs `lead` (a fresh controller each time, given a future that completes when leadership
/// ends) whenever this replica holds the Lease, until `shutdown` completes.
pub async fn run<L, F>(
    client: Client,
    settings: &LeaseSettings,
    lead: L,
    shutdown: impl Future<Output = ()>,
) -> Result<(), LeaderError>
where
    L: Fn(LeadershipLost) -> F,
    F: Future<Output = ()>,
{
    let manager = LeaseManagerBuilder::new(client, &settings.name)
        .with_namespace(&settings.namespace)
        .with_identity(&settings.identity)
        .with_duration(settings.duration_secs)
        .with_grace(settings.duration_secs.div_ceil(3).max(1))
        .build()
        .await
        .map_err(|e| LeaderError(e.to_string()))?;
    let (leading, task) = manager.watch().await;
    let work = rounds(leading.clone(), settings.identity.clone(), lead);
    tokio::select! {
        () = shutdown => {},
        () = work => {},
    }
    // Closing the channel makes the manager release the Lease, so another replica takes over
    // at once instead of after the Lease's duration.
    drop(leading);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    Ok(())
}

/// Leads each time the Lease is won, until the manager goes.
async fn rounds<L, F>(mut leading: watch::Receiver<bool>, identity: String, lead: L)
where
    L: Fn(LeadershipLost) -> F,
    F: Future<Output = ()>,
{
    while wait_for(&mut leading, true).await {
        log_leading(&identity, true);
        lead(LeadershipLost(leading.clone())).await;
        log_leading(&identity, false);
    }
}

fn log_leading(identity: &str, leading: bool) {
    tracing::info!(%identity, leading, "leadership changed");
}

/// Completes when this replica stops holding the Lease.
#[derive(Debug, Clone)]
pub struct LeadershipLost(watch::Receiver<bool>);

impl LeadershipLost {
    /// Waits for the loss.
    pub async fn wait(mut self) {
        wait_for(&mut self.0, false).await;
    }
}

/// Waits until the state is `wanted`; false when the manager has gone.
async fn wait_for(state: &mut watch::Receiver<bool>, wanted: bool) -> bool {
    state.wait_for(|leading| *leading == wanted).await.is_ok()
}
