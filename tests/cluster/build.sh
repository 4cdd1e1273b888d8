#!/usr/bin/env bash
# Builds, once, the Go binaries of the cluster test harness into $K8S_BIN (outside the repo).
#
# Each tool is built from a throw-away wrapper module under $K8S_SRC/<tool>/ whose go.mod names the
# pinned release as a `tool` dependency; a stamp file next to each binary records the pin, so a
# second run does nothing and a changed pin rebuilds only that tool. Any failed build exits
# non-zero with the tail of its log: a machine that cannot build the harness fails loudly.
#
# usage: build.sh [required|optional|all]   (default: all; `optional` = controller-manager,
#        scheduler, kwok; a failure there is reported, written to $K8S_BIN/.optional-unavailable
#        and does not fail the script)
set -euo pipefail
# shellcheck source=tests/cluster/versions.sh
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"

go_env
command -v go >/dev/null || die "go is not installed; the cluster harness builds its binaries with Go"
mkdir -p "$K8S_BIN" "$K8S_SRC" "$K8S_HOME/logs"
# Two concurrent callers on a cold machine would share wrapper directories: one builds, the other
# waits and then finds everything built.
exec 7>"$K8S_HOME/build.lock"
if ! flock -n 7; then
    log "waiting for another build of the harness binaries ($K8S_HOME/build.lock)"
    flock 7
fi

# The go.mod of k8s.io/kubernetes points every k8s.io/* staging module at ./staging/src, which only
# works inside its own repository. A wrapper replaces each with the published v0.x of the release.
k8s_staging_replaces() {
    local mod
    mod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
    [ -f "$mod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION from the Go module proxy"
    sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$mod" |
        while read -r m; do printf 'replace %s => %s %s\n' "$m" "$m" "$K8S_STAGING_VERSION"; done
}

# build_tool NAME PIN MODULE@VERSION 'replace lines' PACKAGE=BINARY...
build_tool() {
    local name="$1" pin="$2" req="$3" replaces="$4"
    shift 4
    local stamp="$K8S_BIN/.$name.pin" all_there=1 spec
    for spec in "$@"; do [ -x "$K8S_BIN/${spec#*=}" ] || all_there=0; done
    if [ "$all_there" = 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pin" ]; then
        return 0
    fi
    local dir="$K8S_SRC/$name" logf="$K8S_HOME/logs/build-$name.log" started=$SECONDS
    log "building $name $pin (log: $logf) ..."
    rm -rf "$dir" && mkdir -p "$dir"
    {
        printf 'module coachai.invalid/k8s-harness/%s\n\ngo 1.26.0\n\n' "$name"
        printf 'require %s %s\n\n' "${req%@*}" "${req#*@}"
        printf '%s\n' "$replaces"
    } >"$dir/go.mod"
    if ! (
        cd "$dir"
        for spec in "$@"; do nice -n 10 go get -tool "${spec%=*}@${req#*@}"; done
        nice -n 10 go mod tidy
        for spec in "$@"; do
            nice -n 10 go build -ldflags="-s -w $(ldflags_for "$name")" -o "$K8S_BIN/${spec#*=}" "${spec%=*}"
        done
    ) >"$logf" 2>&1; then
        tail -n 30 "$logf" >&2
        return 1
    fi
    printf '%s\n' "$pin" >"$stamp"
    log "built $name in $((SECONDS - started))s"
}

# Version metadata the release Makefiles would stamp in; kubectl and the apiserver report it.
ldflags_for() {
    case "$1" in
    kubernetes | kubernetes-optional)
        local p=k8s.io/component-base/version
        printf -- '-X %s.gitVersion=%s -X %s.gitMajor=1 -X %s.gitMinor=%s -X %s.gitTreeState=clean' \
            "$p" "$K8S_VERSION" "$p" "$p" "$(cut -d. -f2 <<<"$K8S_VERSION")" "$p"
        ;;
    helm) printf -- '-X helm.sh/helm/v3/internal/version.version=%s' "$HELM_VERSION" ;;
    kubeconform) printf -- '-X main.version=%s' "$KUBECONFORM_VERSION" ;;
    esac
}

build_required() {
    local k8s_replaces
    k8s_replaces="$(k8s_staging_replaces)" ||
        die "cannot read the staging modules of k8s.io/kubernetes@$K8S_VERSION (is the Go module proxy reachable?)"
    build_tool etcd "$ETCD_VERSION" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "" \
        go.etcd.io/etcd/server/v3=etcd ||
        die "building etcd $ETCD_VERSION failed (see above)"
    build_tool kubernetes "$K8S_VERSION" "k8s.io/kubernetes@$K8S_VERSION" "$k8s_replaces" \
        k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver \
        k8s.io/kubernetes/cmd/kubectl=kubectl ||
        die "building kube-apiserver/kubectl $K8S_VERSION failed (see above)"
    build_tool helm "$HELM_VERSION" "helm.sh/helm/v3@$HELM_VERSION" "" \
        helm.sh/helm/v3/cmd/helm=helm ||
        die "building helm $HELM_VERSION failed (see above)"
    build_tool kubeconform "$KUBECONFORM_VERSION" "github.com/yannh/kubeconform@$KUBECONFORM_VERSION" "" \
        github.com/yannh/kubeconform/cmd/kubeconform=kubeconform ||
        die "building kubeconform $KUBECONFORM_VERSION failed (see above)"
}

# Standalone kwok needs its stages (how nodes and pods move through their lifecycle) in a config
# file; kwokctl writes one from the defaults kwok ships in its module, and so does this.
kwok_stages() {
    local out="$K8S_BIN/kwok-stages.yaml" src f
    [ -s "$out" ] && [ "$out" -nt "$K8S_BIN/.kwok.pin" ] && return 0
    src="$(cd "$K8S_SRC/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage" || return 1
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
        pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
        [ -f "$src/$f" ] || return 1
        printf -- '---\n'
        cat "$src/$f"
    done >"$out.tmp" && mv "$out.tmp" "$out"
}

# The controller-manager, scheduler and kwok let Deployments roll out to Available. They are
# optional for the control plane: when they cannot be built the reason is recorded, the API server
# still starts, and the tests needing a rollout fail with that reason.
build_optional() {
    local marker="$K8S_BIN/.optional-unavailable" k8s_replaces
    local pins="$K8S_VERSION $KWOK_VERSION"
    # A failure is remembered per pin so that every up.sh does not retry a long failing build;
    # COACHAI_K8S_RETRY_OPTIONAL=1 retries anyway.
    if [ -f "$marker" ] && [ "$(cat "$marker.pins" 2>/dev/null)" = "$pins" ] &&
        [ -z "${COACHAI_K8S_RETRY_OPTIONAL:-}" ]; then
        log "WARNING: workloads will not roll out: $(cat "$marker") (COACHAI_K8S_RETRY_OPTIONAL=1 retries the build)"
        return 0
    fi
    k8s_replaces="$(k8s_staging_replaces)" ||
        die "cannot read the staging modules of k8s.io/kubernetes@$K8S_VERSION (is the Go module proxy reachable?)"
    rm -f "$marker" "$marker.pins"
    if ! build_tool kubernetes-optional "$K8S_VERSION" "k8s.io/kubernetes@$K8S_VERSION" "$k8s_replaces" \
        k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler; then
        echo "kube-controller-manager/kube-scheduler $K8S_VERSION failed to build; see $K8S_HOME/logs/build-kubernetes-optional.log" >"$marker"
    elif ! build_tool kwok "$KWOK_VERSION" "sigs.k8s.io/kwok@$KWOK_VERSION" "" \
        sigs.k8s.io/kwok/cmd/kwok=kwok; then
        echo "kwok $KWOK_VERSION failed to build; see $K8S_HOME/logs/build-kwok.log" >"$marker"
    elif ! kwok_stages; then
        echo "kwok $KWOK_VERSION's default stages were not found in its module" >"$marker"
    fi
    if [ -f "$marker" ]; then
        printf '%s\n' "$pins" >"$marker.pins"
        log "WARNING: workloads will not roll out: $(cat "$marker")"
    fi
}

case "${1:-all}" in
required) build_required ;;
optional) build_optional ;;
all)
    build_required
    build_optional
    ;;
*) die "usage: build.sh [required|optional|all]" ;;
esac
