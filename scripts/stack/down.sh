#!/usr/bin/env bash
# Stop the local stack components this clone started (as recorded in $COACHAI_LOCAL/started by
# up.sh and gateway.sh). Instances reused from another clone are left alone. Idempotent.
#   down.sh         stop the recorded components
#   down.sh --all   stop every component running from this clone's $COACHAI_LOCAL, recorded or not
#   down.sh [--all] chroma postgresql   only the components named (gateway, ollama, chroma, redis,
#                   postgresql)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

ALL=""
case "${1:-}" in
  --all) ALL=1; shift ;;
  -h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
components=("$@")
[ "${#components[@]}" -gt 0 ] || components=(gateway ollama chroma redis postgresql)

wanted() { [ -n "$ALL" ] || is_recorded "$1"; }

# stop_pid <name> <pid> <expected cmdline word> <group:yes|no> <timeout>
stop_pid() {
  local name="$1" pid="$2" word="$3" group="$4" timeout="$5"
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$word"; then
    log "$name: pid $pid is not a $word process any more (stale pid file); not signalling it"
    return 0
  fi
  if [ "$group" = yes ]; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  else kill -TERM "$pid" 2>/dev/null || true; fi
  if ! wait_until "$timeout" sh -c "! kill -0 $pid"; then
    log "$name: pid $pid still alive after ${timeout}s; sending SIGKILL"
    if [ "$group" = yes ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 5 sh -c "! kill -0 $pid" || die "$name: could not stop pid $pid"
  fi
}

stop_gateway() {
  if wanted gateway; then
    "$STACK_DIR/gateway.sh" stop
  else
    report gateway skip "not started by this clone"
  fi
}

stop_chroma() {
  local pid
  pid="$(pidfile_pid "$CHROMA_PIDFILE")"
  if ! wanted chroma; then
    report chroma skip "not started by this clone${pid:+ (pid $pid running; use --all)}"
    return 0
  fi
  if [ -n "$pid" ]; then
    stop_pid chroma "$pid" chroma yes 20
    report chroma stopped "pid $pid"
  else
    report chroma stopped "(was not running)"
  fi
  rm -f "$CHROMA_PIDFILE"
  unrecord_started chroma
}

stop_ollama() {
  local pid
  pid="$(pidfile_pid "$OLLAMA_PIDFILE")"
  if ! wanted ollama; then
    report ollama skip "not started by this clone${pid:+ (pid $pid running; use --all)}"
    return 0
  fi
  if [ -n "$pid" ]; then
    stop_pid ollama "$pid" "ollama serve" yes 20
    report ollama stopped "pid $pid"
  else
    report ollama stopped "(was not running)"
  fi
  rm -f "$OLLAMA_PIDFILE"
  unrecord_started ollama
}

stop_redis() {
  local pidfile="$REDIS_DIR/redis.pid" pid
  pid="$(pidfile_pid "$pidfile")"
  if ! wanted redis; then
    report redis skip "not started by this clone${pid:+ (pid $pid running; use --all)}"
    return 0
  fi
  if [ -n "$pid" ]; then
    stop_pid redis "$pid" redis-server no 15
    report redis stopped "pid $pid"
  else
    report redis stopped "(was not running)"
  fi
  rm -f "$pidfile"
  unrecord_started redis
}

stop_postgres() {
  if ! wanted postgresql; then
    report postgresql skip "not started by this clone"
    return 0
  fi
  if own_pg_running; then
    if ! pg_ctl_as_postgres stop -m fast -w -t 60 >/dev/null 2>&1; then
      tail_log "$LOG_DIR/postgresql.log"
      die "pg_ctl stop failed for $PGDATA_COACHAI"
    fi
    report postgresql stopped "$PGDATA_COACHAI"
  else
    report postgresql stopped "(was not running)"
  fi
  unrecord_started postgresql
}

[ -d "$COACHAI_LOCAL" ] || { log "nothing to stop ($COACHAI_LOCAL does not exist)"; exit 0; }
take_stack_lock
for component in "${components[@]}"; do
  case "$component" in
    gateway) stop_gateway ;;
    ollama) stop_ollama ;;
    chroma) stop_chroma ;;
    redis) stop_redis ;;
    postgresql) stop_postgres ;;
    *) die "usage: $0 [--all] [gateway|ollama|chroma|redis|postgresql ...]" ;;
  esac
done
