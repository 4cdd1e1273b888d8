//! Whether workloads roll out on the harness cluster: that needs kube-controller-manager,
//! kube-scheduler and kwok, which `up.sh` runs only when they could be built.

/// Set by `up.sh`: empty when Deployments roll out, otherwise the reason they cannot.
pub const WORKLOADS_UNAVAILABLE_VAR: &str = "COACHAI_K8S_WORKLOADS_UNAVAILABLE";

/// `Some(reason)` when Deployments cannot become Available on the harness cluster, so a test
/// that needs a rollout fails with that reason (never skips); `None` when they can.
///
/// Outside the harness environment (no `up.sh` exports at all) this also gives a reason.
pub fn workloads_unavailable() -> Option<String> {
    match std::env::var(WORKLOADS_UNAVAILABLE_VAR) {
        Ok(reason) if reason.trim().is_empty() => None,
        Ok(reason) => Some(reason),
        Err(_) => Some(format!(
            "{WORKLOADS_UNAVAILABLE_VAR} is not set: the control plane was not started by \
             tests/cluster/up.sh"
        )),
    }
}
