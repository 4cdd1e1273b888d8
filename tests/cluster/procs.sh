# shellcheck shell=bash
# Background processes of the control plane, tracked by pid files in $K8S_RUN/pids.
# Sourced by up.sh and down.sh, never executed.

# start_proc NAME BINARY ARGS...: run detached in its own session, all output to its log, so that
# `eval "$(up.sh)"` does not wait on it and a closed terminal does not kill it.
start_proc() {
    local name="$1"
    shift
    mkdir -p "$K8S_RUN/pids" "$K8S_RUN/logs"
    # fd 3 is up.sh's stdout (a `$(...)` pipe) and 7-9 hold the harness locks: the daemon must
    # not keep any of them open, or `eval "$(up.sh)"` and the next test run would wait on it.
    setsid "$@" </dev/null >"$K8S_RUN/logs/$name.log" 2>&1 3>&- 7>&- 8>&- 9>&- &
    printf '%s\n' "$!" >"$K8S_RUN/pids/$name.pid"
}

# The pid of NAME if it is alive and still runs our binary (guards against a recycled pid).
proc_pid() {
    local name="$1" pid exe
    pid="$(cat "$K8S_RUN/pids/$name.pid" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
    [ "$exe" = "$K8S_BIN/$name" ] || return 1
    printf '%s\n' "$pid"
}

proc_alive() { proc_pid "$1" >/dev/null; }

# stop_proc NAME: SIGTERM, up to 15 s of grace, then SIGKILL; waits until the process is gone.
stop_proc() {
    local name="$1" pid
    if pid="$(proc_pid "$name")"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "$name ($pid) ignored SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
        fi
        log "stopped $name ($pid)"
    fi
    rm -f "$K8S_RUN/pids/$name.pid"
}

# lock_state: serialises up.sh and down.sh (fd 8) so two concurrent callers cannot both start
# or stop the one control plane; the second waits, then sees the first's result.
lock_state() {
    mkdir -p "$K8S_HOME"
    exec 8>"$K8S_HOME/state.lock"
    if ! flock -n 8; then
        log "waiting for another up.sh/down.sh to finish ($K8S_HOME/state.lock)"
        flock 8
    fi
}

# Processes running one of the harness binaries, whether or not a pid file knows them (a crashed
# up.sh, a deleted run directory).
strays() {
    local exe target
    for exe in /proc/[0-9]*/exe; do
        target="$(readlink "$exe" 2>/dev/null)" || continue
        case "$target" in "$K8S_BIN"/*) exe="${exe#/proc/}" && printf '%s\n' "${exe%/exe}" ;; esac
    done
}

# stop_all: stops every harness process, in reverse start order, then any stray, and removes the
# etcd data. Fails if anything is still running afterwards.
stop_all() {
    local name pids
    for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
        stop_proc "$name"
    done
    rm -rf "$K8S_RUN/etcd"
    pids="$(strays)"
    if [ -n "$pids" ]; then
        log "stopping stray harness processes: ${pids//$'\n'/ }"
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        sleep 3
        pids="$(strays)"
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        sleep 0.5
    fi
    pids="$(strays)"
    [ -z "$pids" ] || die "harness processes still running after stop: ${pids//$'\n'/ }"
}
