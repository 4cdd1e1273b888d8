# shellcheck shell=bash
# Pinned versions and paths of the cluster test harness. Sourced, never executed.
# shellcheck disable=SC2034  # every value here is used by the scripts that source this file
# Changing a pin here rebuilds exactly the tools whose pin changed on the next `up.sh`.

# One Kubernetes minor, matched by k8s-openapi's `v1_37` feature in tests/kube-harness.
K8S_VERSION="v1.37.2"
# The k8s.io/* staging modules are published as v0.<minor>.<patch> of the same release.
K8S_STAGING_VERSION="v0.${K8S_VERSION#v1.}"
ETCD_VERSION="v3.7.3"
HELM_VERSION="v3.22.0"
KUBECONFORM_VERSION="v0.8.0"
KWOK_VERSION="v0.8.0"

COACHAI_CACHE="${COACHAI_CACHE:-$HOME/.cache/coachai}"
# Binaries and wrapper modules: built once, shared by every clone on the machine.
K8S_HOME="${COACHAI_K8S_HOME:-$COACHAI_CACHE/k8s/$K8S_VERSION}"
K8S_BIN="$K8S_HOME/bin"
K8S_SRC="$K8S_HOME/src"
# Runtime state of the one running control plane: certificates, etcd data, logs, pids, kubeconfig.
K8S_RUN="${COACHAI_K8S_RUN:-$K8S_HOME/run}"

# Loopback ports; override when they collide with something else on the machine.
K8S_ETCD_PORT="${COACHAI_K8S_ETCD_PORT:-23379}"
K8S_ETCD_PEER_PORT="${COACHAI_K8S_ETCD_PEER_PORT:-23380}"
K8S_API_PORT="${COACHAI_K8S_API_PORT:-26443}"
K8S_CM_PORT="${COACHAI_K8S_CM_PORT:-26257}"
K8S_SCHED_PORT="${COACHAI_K8S_SCHED_PORT:-26259}"
K8S_KWOK_PORT="${COACHAI_K8S_KWOK_PORT:-26280}"

# The Go environment of the builds (build.sh only): caches outside the repository, reproducible
# paths, and the installed toolchain only (a pin needing a newer Go fails instead of fetching one).
go_env() {
    export GOMODCACHE="${GOMODCACHE:-$COACHAI_CACHE/go/mod}"
    export GOCACHE="${GOCACHE:-$COACHAI_CACHE/go/build}"
    export GOFLAGS="-trimpath -buildvcs=false"
    export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    export CGO_ENABLED=0
}

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] ERROR: %s\n' "$*" >&2; exit 1; }
