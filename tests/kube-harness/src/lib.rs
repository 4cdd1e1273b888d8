//! Test support for the cluster test suites: a [`kube::Client`] for the control plane started by
//! `tests/cluster/up.sh`, a fresh namespace per test that is deleted when the test ends, and the
//! check that tells a test needing Deployments to roll out whether it can, or why it must fail.
//!
//! Run cluster tests through `tests/cluster/test.sh` (what `make test` calls): it starts the
//! control plane, exports `KUBECONFIG`, runs the suites and tears the control plane down. Without
//! `KUBECONFIG` every entry point here fails with [`HarnessError::NoKubeconfig`]: a cluster suite
//! never passes by silently not running.

mod crd;
mod error;
mod namespace;
mod workloads;

pub use crd::apply_crd;
pub use error::HarnessError;
pub use namespace::TestNamespace;
pub use workloads::{WORKLOADS_UNAVAILABLE_VAR, workloads_unavailable};

use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// The field manager the harness uses for its own server-side applies.
pub const FIELD_MANAGER: &str = "coachai-kube-harness";

/// The kube configuration of the harness cluster, read from the file named by `KUBECONFIG`.
///
/// Fails with [`HarnessError::NoKubeconfig`] when `KUBECONFIG` is unset or empty, and with
/// [`HarnessError::Kubeconfig`] when the file cannot be read or understood.
pub async fn config() -> Result<kube::Config, HarnessError> {
    let path = std::env::var_os("KUBECONFIG")
        .filter(|p| !p.is_empty())
        .ok_or(HarnessError::NoKubeconfig)?;
    let path = std::path::PathBuf::from(path);
    let kubeconfig = Kubeconfig::read_from(&path).map_err(|source| HarnessError::Kubeconfig {
        path: path.clone(),
        source,
    })?;
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|source| HarnessError::Kubeconfig { path, source })
}

/// A client for the harness cluster, authenticated as its admin (`system:masters`).
///
/// Fails like [`config`], or with [`HarnessError::Kube`] when no client can be built from it.
pub async fn client() -> Result<Client, HarnessError> {
    Ok(Client::try_from(config().await?)?)
}
