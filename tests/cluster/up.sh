#!/usr/bin/env bash
# Starts (or reuses) the test control plane and prints only `export` lines on stdout:
#
#   eval "$(tests/cluster/up.sh)"
#
# Builds the pinned binaries once (build.sh), then runs etcd and kube-apiserver on loopback with
# throw-away certificates, RBAC on, and an admin kubeconfig at $K8S_RUN/admin.kubeconfig. When
# they could be built, kube-controller-manager, kube-scheduler and kwok (one simulated node) run
# too, so Deployments roll out to Available; otherwise COACHAI_K8S_WORKLOADS_UNAVAILABLE says why.
# Progress goes to stderr. Exits non-zero, loudly, when anything required fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/cluster/versions.sh
source "$here/versions.sh"
# shellcheck source=tests/cluster/pki.sh
source "$here/pki.sh"
# shellcheck source=tests/cluster/procs.sh
source "$here/procs.sh"

# Keep stdout for the export lines; everything else (including tools' chatter) goes to stderr.
exec 3>&1 1>&2
started=$SECONDS

"$here/build.sh" all
lock_state

KUBECONFIG_FILE="$K8S_RUN/admin.kubeconfig"
kc() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
api_ready() { kc get --raw /readyz >/dev/null 2>&1; }

workloads_wanted() { [ ! -f "$K8S_BIN/.optional-unavailable" ]; }
workload_procs=(kube-controller-manager kube-scheduler kwok)

running_and_ready() {
    local p
    for p in etcd kube-apiserver; do proc_alive "$p" || return 1; done
    if workloads_wanted; then
        for p in "${workload_procs[@]}"; do proc_alive "$p" || return 1; done
    fi
    api_ready
}

wait_for() {
    local what="$1" timeout="$2" logname="$3"
    shift 3
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        if ! proc_alive "$logname"; then
            tail -n 40 "$K8S_RUN/logs/$logname.log" >&2 || true
            die "$logname exited while waiting for $what (log: $K8S_RUN/logs/$logname.log)"
        fi
        if [ $SECONDS -ge $deadline ]; then
            tail -n 40 "$K8S_RUN/logs/$logname.log" >&2 || true
            die "timed out after ${timeout}s waiting for $what (log: $K8S_RUN/logs/$logname.log)"
        fi
        sleep 0.5
    done
}

start_etcd() {
    start_proc etcd "$K8S_BIN/etcd" \
        --name coachai-test \
        --data-dir "$K8S_RUN/etcd" \
        --listen-client-urls "http://127.0.0.1:$K8S_ETCD_PORT" \
        --advertise-client-urls "http://127.0.0.1:$K8S_ETCD_PORT" \
        --listen-peer-urls "http://127.0.0.1:$K8S_ETCD_PEER_PORT" \
        --initial-advertise-peer-urls "http://127.0.0.1:$K8S_ETCD_PEER_PORT" \
        --initial-cluster "coachai-test=http://127.0.0.1:$K8S_ETCD_PEER_PORT" \
        --unsafe-no-fsync \
        --quota-backend-bytes 1073741824 \
        --log-level warn
    wait_for "etcd health" 60 etcd \
        curl -fs -o /dev/null "http://127.0.0.1:$K8S_ETCD_PORT/health"
}

start_apiserver() {
    local pki="$K8S_RUN/pki"
    # The endpoint reconciler refuses a loopback advertise address; nothing in the test cluster
    # needs the in-cluster `kubernetes` Service to have endpoints, so it is turned off.
    start_proc kube-apiserver "$K8S_BIN/kube-apiserver" \
        --etcd-servers "http://127.0.0.1:$K8S_ETCD_PORT" \
        --bind-address 127.0.0.1 \
        --advertise-address 127.0.0.1 \
        --secure-port "$K8S_API_PORT" \
        --cert-dir "$K8S_RUN/apiserver-certs" \
        --tls-cert-file "$pki/apiserver.crt" \
        --tls-private-key-file "$pki/apiserver.key" \
        --client-ca-file "$pki/ca.crt" \
        --authorization-mode RBAC \
        --service-account-issuer https://kubernetes.default.svc.cluster.local \
        --service-account-key-file "$pki/sa.pub" \
        --service-account-signing-key-file "$pki/sa.key" \
        --service-cluster-ip-range 10.0.0.0/24 \
        --endpoint-reconciler-type none \
        --allow-privileged=true \
        --profiling=false \
        --v=1
    wait_for "kube-apiserver /readyz" 180 kube-apiserver api_ready
}

node_ready() {
    [ "$(kc get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
default_sa_exists() { kc -n default get serviceaccount default >/dev/null 2>&1; }

start_workloads() {
    local pki="$K8S_RUN/pki"
    write_kubeconfig "$K8S_RUN/controller-manager.kubeconfig" controller-manager
    write_kubeconfig "$K8S_RUN/scheduler.kubeconfig" scheduler
    start_proc kube-controller-manager "$K8S_BIN/kube-controller-manager" \
        --kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
        --authentication-kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
        --authorization-kubeconfig "$K8S_RUN/controller-manager.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port "$K8S_CM_PORT" \
        --cert-dir "$K8S_RUN/controller-manager-certs" \
        --leader-elect=false \
        --use-service-account-credentials=true \
        --service-account-private-key-file "$pki/sa.key" \
        --root-ca-file "$pki/ca.crt" \
        --service-cluster-ip-range 10.0.0.0/24 \
        --v=1
    start_proc kube-scheduler "$K8S_BIN/kube-scheduler" \
        --kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
        --authentication-kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
        --authorization-kubeconfig "$K8S_RUN/scheduler.kubeconfig" \
        --bind-address 127.0.0.1 --secure-port "$K8S_SCHED_PORT" \
        --cert-dir "$K8S_RUN/scheduler-certs" \
        --leader-elect=false \
        --v=1
    # kwok plays the kubelet of every node annotated kwok.x-k8s.io/node=fake: it marks the node
    # Ready and moves pods scheduled there to Running/Ready, without running any container.
    start_proc kwok "$K8S_BIN/kwok" \
        --kubeconfig "$KUBECONFIG_FILE" \
        --manage-all-nodes=false \
        --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
        --manage-nodes-with-label-selector= \
        --config "$K8S_BIN/kwok-stages.yaml" \
        --cidr 10.244.0.1/24 \
        --node-ip 10.240.0.1 \
        --node-lease-duration-seconds 40 \
        --server-address "127.0.0.1:$K8S_KWOK_PORT"
    kc apply -f "$here/kwok-node.yaml" >/dev/null
    wait_for "the simulated node to be Ready" 120 kwok node_ready
    wait_for "the default service account" 120 kube-controller-manager default_sa_exists
}

# kubeconform downloads its schemas by default, which cannot work here: derive them once per
# Kubernetes version from this API server's OpenAPI document instead.
SCHEMAS="$K8S_HOME/kubeconform-schemas"
make_kubeconform_schemas() {
    [ -f "$SCHEMAS/.complete" ] && return 0
    command -v python3 >/dev/null || die "python3 is needed to derive kubeconform's schemas"
    rm -rf "$SCHEMAS"
    kc get --raw /openapi/v2 | python3 "$here/kubeconform-schemas.py" "$SCHEMAS"
    touch "$SCHEMAS/.complete"
}

if running_and_ready; then
    log "reusing the control plane at https://127.0.0.1:$K8S_API_PORT"
else
    # Leftovers of a crashed or partial run are torn down before a clean start, and a start
    # that fails half-way leaves nothing running behind it.
    stop_all
    trap 'stop_all || true' EXIT
    rm -rf "$K8S_RUN"
    mkdir -p "$K8S_RUN/logs" "$K8S_RUN/pids"
    log "generating throw-away certificates in $K8S_RUN/pki"
    make_pki
    write_kubeconfig "$KUBECONFIG_FILE" admin
    log "starting etcd $ETCD_VERSION on 127.0.0.1:$K8S_ETCD_PORT"
    start_etcd
    log "starting kube-apiserver $K8S_VERSION on https://127.0.0.1:$K8S_API_PORT"
    start_apiserver
    make_kubeconform_schemas
    if workloads_wanted; then
        log "starting kube-controller-manager, kube-scheduler and kwok (one simulated node)"
        start_workloads
    fi
    trap - EXIT
    log "control plane ready in $((SECONDS - started))s"
fi

unavailable=""
if ! workloads_wanted; then
    unavailable="$(cat "$K8S_BIN/.optional-unavailable")"
    log "NOTE: no controller-manager/scheduler/kwok; Deployments will not become Available: $unavailable"
fi

path="$K8S_BIN:${PATH#"$K8S_BIN:"}"
{
    printf 'export KUBECONFIG=%q\n' "$KUBECONFIG_FILE"
    printf 'export PATH=%q\n' "$path"
    printf 'export COACHAI_K8S_VERSION=%q\n' "$K8S_VERSION"
    # For `kubeconform -strict -schema-location "$COACHAI_KUBECONFORM_SCHEMA_LOCATION"`.
    printf 'export COACHAI_KUBECONFORM_SCHEMA_LOCATION=%q\n' \
        "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    # Empty when Deployments can roll out; otherwise the reason the tests needing it fail.
    printf 'export COACHAI_K8S_WORKLOADS_UNAVAILABLE=%q\n' "$unavailable"
} >&3
