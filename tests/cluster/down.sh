#!/usr/bin/env bash
# Stops every process of the test control plane that up.sh started, in reverse order, and
# removes the etcd data. Safe to run when nothing is running. Logs stay in $K8S_RUN/logs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/cluster/versions.sh
source "$here/versions.sh"
# shellcheck source=tests/cluster/procs.sh
source "$here/procs.sh"

for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop_proc "$name"
done
rm -rf "$K8S_RUN/etcd"

# Processes of our binaries whose pid file was lost (a crashed up.sh, a deleted run dir).
strays() {
    local exe target
    for exe in /proc/[0-9]*/exe; do
        target="$(readlink "$exe" 2>/dev/null)" || continue
        case "$target" in "$K8S_BIN"/*) exe="${exe#/proc/}" && printf '%s\n' "${exe%/exe}" ;; esac
    done
}
pids="$(strays)"
if [ -n "$pids" ]; then
    log "stopping stray harness processes: $(echo $pids)"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    sleep 3
    pids="$(strays)"
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    sleep 0.5
fi
pids="$(strays)"
[ -z "$pids" ] || die "harness processes still running after down.sh: $(echo $pids)"
