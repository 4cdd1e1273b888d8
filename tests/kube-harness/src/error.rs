//! The one error type of the harness; its messages say what to run to fix the setup.

use std::path::PathBuf;

/// Why the harness could not give a test what it asked for.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The cluster suite was started without the harness environment.
    #[error(
        "KUBECONFIG is not set, so there is no test cluster to talk to: run cluster tests with \
         `tests/cluster/test.sh` (or `make test`), or first `eval \"$(tests/cluster/up.sh)\"`"
    )]
    NoKubeconfig,
    /// `KUBECONFIG` names a file that is missing or is not a usable kubeconfig.
    #[error(
        "cannot use the kubeconfig {path:?} (is the control plane up? `tests/cluster/up.sh`): {source}"
    )]
    Kubeconfig {
        /// The file `KUBECONFIG` named.
        path: PathBuf,
        /// What was wrong with it.
        #[source]
        source: kube::config::KubeconfigError,
    },
    /// The API server refused a request or could not be reached.
    #[error("Kubernetes API request failed: {0}")]
    Kube(#[from] kube::Error),
    /// Watching for a condition failed.
    #[error("waiting on the API server failed: {0}")]
    Wait(#[from] kube::runtime::wait::Error),
    /// A condition did not hold within the time the harness allows for it.
    #[error("timed out after {seconds}s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long the harness waited.
        seconds: u64,
    },
    /// The drop guard could not start the runtime it deletes the namespace from.
    #[error("cannot start a runtime for test clean-up: {0}")]
    Runtime(#[source] std::io::Error),
}
