# shellcheck shell=bash
# Background processes of the control plane, tracked by pid files in $K8S_RUN/pids.
# Sourced by up.sh and down.sh, never executed.

# start_proc NAME BINARY ARGS...: run detached in its own session, all output to its log, so that
# `eval "$(up.sh)"` does not wait on it and a closed terminal does not kill it.
start_proc() {
    local name="$1"
    shift
    mkdir -p "$K8S_RUN/pids" "$K8S_RUN/logs"
    setsid "$@" </dev/null >"$K8S_RUN/logs/$name.log" 2>&1 &
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
    local name="$1" pid i
    if pid="$(proc_pid "$name")"; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 30); do
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
