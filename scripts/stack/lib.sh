# shellcheck shell=bash
# Variables defined here are used by the scripts that source this file.
# shellcheck disable=SC2034
# Shared helpers for the stack scripts. Sourced, never executed.
# Sources scripts/env.sh (ports, URLs, COACHAI_LOCAL) relative to this file, so callers work from
# any directory.

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=SCRIPTDIR/../env.sh
source "$STACK_DIR/../env.sh"

# Pinned ChromaDB server (PyPI `chromadb`); the Rust `chroma` crate 0.15 talks to the 1.5 server.
CHROMADB_VERSION="${CHROMADB_VERSION:-1.5.9}"
COACHAI_PYTHON="${COACHAI_PYTHON:-python3}"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR="$COACHAI_LOCAL/pg"
PGDATA_COACHAI="$PG_DIR/data"
LOG_DIR="$COACHAI_LOCAL/log"
REDIS_DIR="$COACHAI_LOCAL/redis"
CHROMA_DIR="$COACHAI_LOCAL/chroma"
CHROMA_PIDFILE="$COACHAI_LOCAL/chroma.pid"
OLLAMA_PIDFILE="$COACHAI_LOCAL/ollama.pid"
# The ChromaDB venv; a second stack (tests/journey/run.sh) reuses the first one's.
VENV_DIR="${COACHAI_VENV_DIR:-$COACHAI_LOCAL/venv}"
NGINX_DIR="${COACHAI_NGINX_DIR:-$COACHAI_LOCAL/nginx}"
STARTED_FILE="$COACHAI_LOCAL/started"
# Serialises up/down across every clone on this machine (they share the ports).
STACK_LOCK="${TMPDIR:-/tmp}/coachai-stack.lock"

# A unix socket path must stay below ~107 bytes; a deeply nested clone falls back to /tmp.
PG_SOCKDIR="$PG_DIR/run"
if [ $(( ${#PG_SOCKDIR} + 20 )) -gt 100 ]; then
  PG_SOCKDIR="/tmp/coachai-pg-$(printf '%s' "$COACHAI_LOCAL" | cksum | cut -d' ' -f1)"
fi

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# One result line per component on stdout: "<name>  <state>  <detail>".
report() { printf '%-11s %-6s %s\n' "$1" "$2" "$3"; }

# Print the last lines of a log file to stderr (used on failures).
tail_log() {
  if [ -f "$1" ]; then
    printf -- '----- last lines of %s -----\n' "$1" >&2
    tail -n "${2:-30}" "$1" >&2 || true
    printf -- '-----\n' >&2
  fi
}

# wait_until <timeout seconds> <command...>: polls every 0.2s; returns 1 on timeout.
wait_until() {
  local timeout="$1"; shift
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# pid from a pid file when that process is alive, else empty.
pidfile_pid() {
  local pid=""
  [ -f "$1" ] && pid="$(tr -dc '0-9' <"$1")"
  if pid_alive "$pid"; then printf '%s' "$pid"; fi
}

# TCP port accepting connections on loopback?
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The `started` record: components this clone started and therefore stops in down.sh.
record_started() {
  mkdir -p "$COACHAI_LOCAL"
  touch "$STARTED_FILE"
  grep -qx "$1" "$STARTED_FILE" || echo "$1" >>"$STARTED_FILE"
}
unrecord_started() {
  [ -f "$STARTED_FILE" ] || return 0
  local rest
  rest="$(grep -vx "$1" "$STARTED_FILE" || true)"
  if [ -n "$rest" ]; then printf '%s\n' "$rest" >"$STARTED_FILE"; else rm -f "$STARTED_FILE"; fi
}
is_recorded() { [ -f "$STARTED_FILE" ] && grep -qx "$1" "$STARTED_FILE"; }

# Take the machine-wide stack lock (fd 9) for the rest of the calling script. Every daemon started
# while holding it must get `9>&-`, or it would inherit the lock and keep it forever.
take_stack_lock() {
  exec 9>>"$STACK_LOCK"
  if ! flock -w 300 9; then die "timed out waiting for $STACK_LOCK (another up/down running?)"; fi
}

# Make sure <user> can traverse every directory from / down to <dir> (adds o+x where missing).
ensure_traversable() {
  local user="$1" dir="$2" d
  runuser -u "$user" -- test -x "$dir" 2>/dev/null && return 0
  d="$dir"
  local chain=()
  while [ "$d" != "/" ] && [ -n "$d" ]; do chain=("$d" "${chain[@]}"); d="$(dirname "$d")"; done
  for d in "${chain[@]}"; do
    if ! runuser -u "$user" -- test -x "$d" 2>/dev/null; then
      log "granting traverse permission (o+x) on $d so that '$user' can reach $dir"
      chmod o+x "$d"
    fi
  done
}

# --- PostgreSQL helpers --------------------------------------------------------------------------

pg_ctl_as_postgres() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA_COACHAI" "$@"; }

# Is the cluster in this clone's $COACHAI_LOCAL/pg running?
own_pg_running() {
  [ -f "$PGDATA_COACHAI/PG_VERSION" ] || return 1
  pg_ctl_as_postgres status >/dev/null 2>&1
}

# psql as superuser `postgres` over this clone's unix socket (trust; socket is 0700).
own_psql_admin() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PGPORT_COACHAI" -U postgres "$@"
}

pg_owner_ok() {
  PGPASSWORD=coachai_owner PGCONNECT_TIMEOUT=3 psql -X -qAt -h 127.0.0.1 -p "$PGPORT_COACHAI" \
    -U coachai_owner -d coachai -c 'select 1' >/dev/null 2>&1
}

# --- Redis / Chroma / Ollama probes -----------------------------------------------------------------------

redis_ping() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT_COACHAI" ping 2>/dev/null)" = "PONG" ]; }

CHROMA_HEARTBEAT_PATH="/api/v2/heartbeat"
chroma_heartbeat() {
  curl -fsS --max-time 3 "http://127.0.0.1:$CHROMA_PORT_COACHAI$CHROMA_HEARTBEAT_PATH" >/dev/null 2>&1
}

# Ollama at $OLLAMA_URL: prints its version ({"version":"0.17.4"} -> 0.17.4); fails when none answers.
ollama_version() {
  curl -fsS --max-time 3 "$OLLAMA_URL/api/version" 2>/dev/null | sed -n 's/.*"version":"\([^"]*\)".*/\1/p' | grep .
}
