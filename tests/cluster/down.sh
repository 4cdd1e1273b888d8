#!/usr/bin/env bash
# Stops every process of the test control plane that up.sh started, in reverse order, and
# removes the etcd data. Safe to run when nothing is running. Logs stay in $K8S_RUN/logs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/cluster/versions.sh
source "$here/versions.sh"
# shellcheck source=tests/cluster/procs.sh
source "$here/procs.sh"

lock_state
stop_all
