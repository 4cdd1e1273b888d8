#!/usr/bin/env bash
# Runs the cluster test suites against a fresh (or reused) harness control plane, and always
# tears it down afterwards. This is what `make test` calls for the cluster part.
#
# usage: tests/cluster/test.sh [extra cargo test arguments...]
#   e.g. tests/cluster/test.sh -p coachai-operator --test cluster
# The harness smoke suite (-p coachai-kube-harness) always runs; extra arguments are appended to
# the same `cargo test` invocation. Exits non-zero if the build of the harness, the start of the
# control plane, any test, or the tear-down fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# Shared build settings (CARGO_TARGET_DIR outside the clone) when the repo provides them.
if [ -f "$root/scripts/env.sh" ]; then
    # shellcheck source=scripts/env.sh
    source "$root/scripts/env.sh"
fi

# shellcheck source=tests/cluster/versions.sh
source "$here/versions.sh"

# One cluster test run at a time per machine: the control plane is shared, and a run's tear-down
# would pull it from under another run's tests. A second run waits for the first (fd 9).
mkdir -p "$K8S_HOME"
exec 9>"$K8S_HOME/test.lock"
if ! flock -n 9; then
    log "another cluster test run is in progress ($K8S_HOME/test.lock); waiting for it"
    flock 9
fi

teardown() {
    local status=$?
    if ! "$here/down.sh"; then
        log "ERROR: tear-down failed"
        [ "$status" -ne 0 ] || status=1
    fi
    exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! exports="$("$here/up.sh")"; then
    log "ERROR: the test control plane could not be built or started; cluster tests cannot run"
    exit 1
fi
eval "$exports"
if [ -n "${COACHAI_K8S_WORKLOADS_UNAVAILABLE:-}" ]; then
    log "NOTE: tests that need Deployments to roll out will fail: $COACHAI_K8S_WORKLOADS_UNAVAILABLE"
fi

cd "$root"
cargo test -p coachai-kube-harness "$@"
