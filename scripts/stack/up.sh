#!/usr/bin/env bash
# Start the local dependencies of CoachAI: PostgreSQL 15, Redis 7, ChromaDB, Ollama (with its two
# models). Idempotent. Installs missing Debian packages and the ChromaDB venv, builds Ollama once
# per machine (scripts/ollama/build.sh), starts what is not running,
# reuses a compatible instance another clone already serves on the same port, and prints one line
# per dependency on stdout. Components started here are recorded in $COACHAI_LOCAL/started so that
# down.sh stops only those. See scripts/stack/README.md.
#   up.sh                  every dependency
#   up.sh postgresql chroma  only those named (postgresql, redis, chroma, ollama): a second stack
#                          with its own COACHAI_LOCAL and ports, as tests/journey/run.sh starts
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
# shellcheck source=SCRIPTDIR/../apt.sh
source "$STACK_DIR/../apt.sh"
# shellcheck source=SCRIPTDIR/../ollama/versions.sh
source "$STACK_DIR/../ollama/versions.sh"

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages, runs PostgreSQL as the postgres user)"

# --- packages ------------------------------------------------------------------------------------

pkg_installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]; }

install_packages() {
  local need=()
  [ -x "$PG_BIN/postgres" ] || need+=(postgresql-15)
  command -v psql >/dev/null && command -v pg_isready >/dev/null || need+=(postgresql-client-15)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v redis-cli >/dev/null || need+=(redis-tools)
  if ! command -v nginx >/dev/null; then need+=(nginx-light); fi
  # protoc only once a crate in Cargo.lock runs it at build time (see scripts/apt.sh).
  if lock_needs_protoc && ! protoc_ready; then read -ra protoc <<<"$PROTOC_PACKAGES"; need+=("${protoc[@]}"); fi
  command -v curl >/dev/null || need+=(curl)
  pkg_installed ca-certificates || need+=(ca-certificates)
  command -v flock >/dev/null || need+=(util-linux)
  # Ollama's build needs a C++ compiler and the headers its Go module leaves out; only when it is
  # going to be built (nothing answers at OLLAMA_URL and the binary is not in the cache).
  if ! ollama_built && [ -z "$(ollama_version)" ]; then
    command -v g++ >/dev/null || need+=(g++)
    local p
    for p in $OLLAMA_BUILD_PACKAGES; do pkg_installed "$p" || need+=("$p"); done
  fi
  if ! command -v "$COACHAI_PYTHON" >/dev/null; then
    need+=(python3 python3-venv)
  elif ! "$COACHAI_PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    # Debian's own python3 needs python3-venv for ensurepip; pyenv and others ship it.
    need+=(python3-venv)
  fi
  [ "${#need[@]}" -eq 0 ] && return 0

  log "installing Debian packages: ${need[*]}"
  # Keep the packages' init scripts from starting system-wide daemons (port 80, 5432, 6379).
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local rc=0
  apt_install "${need[@]}" || rc=$?
  [ -n "$made_policy" ] && rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get install ${need[*]} failed (exit $rc)"
}

# --- ChromaDB venv -------------------------------------------------------------------------------

venv_ready() {
  [ -x "$VENV_DIR/bin/chroma" ] &&
    [ "$("$VENV_DIR/bin/python" -c 'import importlib.metadata as m; print(m.version("chromadb"))' 2>/dev/null)" = "$CHROMADB_VERSION" ]
}

ensure_venv() {
  venv_ready && return 0
  log "creating ChromaDB venv in $VENV_DIR (chromadb==$CHROMADB_VERSION; takes a minute or two)"
  [ -x "$VENV_DIR/bin/python" ] || "$COACHAI_PYTHON" -m venv "$VENV_DIR" >&2
  "$VENV_DIR/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  "$VENV_DIR/bin/python" -m pip install -q --disable-pip-version-check "chromadb==$CHROMADB_VERSION" >&2 ||
    die "pip install chromadb==$CHROMADB_VERSION failed"
  venv_ready || die "venv in $VENV_DIR has no working chroma $CHROMADB_VERSION"
}

# --- PostgreSQL ----------------------------------------------------------------------------------

PG_LOG="$LOG_DIR/postgresql.log"

pg_write_config() {
  cat >"$PGDATA_COACHAI/coachai.conf" <<EOF
# Written by scripts/stack/up.sh on every start; edit there.
listen_addresses = '127.0.0.1'
port = $PGPORT_COACHAI
unix_socket_directories = '$PG_SOCKDIR'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 256MB
password_encryption = 'scram-sha-256'
log_timezone = 'UTC'
timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = -1
EOF
  # Only root and postgres can reach the 0700 socket; TCP always needs a password.
  cat >"$PGDATA_COACHAI/pg_hba.conf" <<'EOF'
# Written by scripts/stack/up.sh. TYPE DATABASE USER ADDRESS METHOD
local   all   all                   trust
host    all   all   127.0.0.1/32    scram-sha-256
EOF
  chown postgres:postgres "$PGDATA_COACHAI/coachai.conf" "$PGDATA_COACHAI/pg_hba.conf"
}

pg_init_cluster() {
  [ -f "$PGDATA_COACHAI/PG_VERSION" ] && return 0
  log "initdb $PGDATA_COACHAI"
  install -d -o postgres -g postgres -m 700 "$PG_DIR" "$PGDATA_COACHAI"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA_COACHAI" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$LOG_DIR/initdb.log" 2>&1 ||
    { tail_log "$LOG_DIR/initdb.log"; die "initdb failed"; }
  echo "include_if_exists = 'coachai.conf'" >>"$PGDATA_COACHAI/postgresql.conf"
}

pg_bootstrap() {
  # Roles, database, schema ownership and extensions; every statement is idempotent.
  PGOPTIONS="-c client_min_messages=warning" own_psql_admin -d postgres <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_owner') THEN
    CREATE ROLE coachai_owner;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_app') THEN
    CREATE ROLE coachai_app;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coachai_provisioner') THEN
    CREATE ROLE coachai_provisioner;
  END IF;
END
$$;
ALTER ROLE coachai_owner WITH LOGIN NOSUPERUSER CREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS
  PASSWORD 'coachai_owner';
ALTER ROLE coachai_app WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS
  PASSWORD 'coachai_app';
ALTER ROLE coachai_provisioner WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION
  NOBYPASSRLS PASSWORD 'coachai_provisioner';
SELECT 'CREATE DATABASE coachai OWNER coachai_owner ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'coachai') \gexec
ALTER DATABASE coachai OWNER TO coachai_owner;
GRANT CONNECT ON DATABASE coachai TO coachai_app, coachai_provisioner;
SQL
  PGOPTIONS="-c client_min_messages=warning" own_psql_admin -d coachai <<'SQL'
ALTER SCHEMA public OWNER TO coachai_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO coachai_app;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
SQL
}

start_postgres() {
  local endpoint="127.0.0.1:$PGPORT_COACHAI" state
  if own_pg_running; then
    state="already running"
  else
    # Someone else on the port? Reuse it when it is a CoachAI cluster (the owner role logs in).
    local probe=0
    pg_isready -q -h 127.0.0.1 -p "$PGPORT_COACHAI" -t 3 || probe=$?
    if [ "$probe" -eq 1 ]; then   # another clone's server is starting up
      wait_until 60 pg_isready -q -h 127.0.0.1 -p "$PGPORT_COACHAI" || true
      probe=0
    fi
    if [ "$probe" -eq 0 ] || port_open "$PGPORT_COACHAI"; then
      if wait_until 10 pg_owner_ok; then
        unrecord_started postgresql
        report postgresql ready "$endpoint (reused: served by another instance, not stopped by down.sh)"
        return 0
      fi
      die "port $PGPORT_COACHAI is taken by something that is not a CoachAI PostgreSQL (coachai_owner cannot log in to coachai); stop it or set PGPORT_COACHAI"
    fi
    pg_init_cluster
    pg_write_config
    install -d -o postgres -g postgres -m 700 "$PG_SOCKDIR"
    : >>"$PG_LOG"
    chown postgres:postgres "$PG_LOG"
    if ! pg_ctl_as_postgres -l "$PG_LOG" -w -t 90 start >/dev/null 2>&1 9>&-; then
      tail_log "$PG_LOG"
      die "PostgreSQL did not start on $endpoint (log: $PG_LOG)"
    fi
    record_started postgresql
    state="started"
  fi
  if ! wait_until 30 pg_isready -q -h 127.0.0.1 -p "$PGPORT_COACHAI"; then
    tail_log "$PG_LOG"
    die "PostgreSQL on $endpoint is not accepting connections"
  fi
  # Our own cluster: (re)apply roles/database/extensions every time (cheap, idempotent).
  pg_bootstrap >/dev/null || { tail_log "$PG_LOG"; die "PostgreSQL bootstrap (roles, database) failed"; }
  pg_owner_ok || die "coachai_owner cannot log in to $endpoint/coachai"
  if [ "$state" = "already running" ] && ! is_recorded postgresql; then
    # Running from this clone's data directory, so it is ours to stop.
    record_started postgresql
  fi
  report postgresql ready "$endpoint ($state)"
}

# --- Redis ---------------------------------------------------------------------------------------

REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_LOG="$LOG_DIR/redis.log"

start_redis() {
  local endpoint="127.0.0.1:$REDIS_PORT_COACHAI"
  if [ -n "$(pidfile_pid "$REDIS_PIDFILE")" ] && redis_ping; then
    record_started redis
    report redis ready "$endpoint (already running)"
    return 0
  fi
  if port_open "$REDIS_PORT_COACHAI"; then
    if redis_ping; then
      unrecord_started redis
      report redis ready "$endpoint (reused: served by another instance, not stopped by down.sh)"
      return 0
    fi
    die "port $REDIS_PORT_COACHAI is taken by something that does not answer Redis PING; stop it or set REDIS_PORT_COACHAI"
  fi
  mkdir -p "$REDIS_DIR"
  cat >"$REDIS_DIR/redis.conf" <<EOF
# Written by scripts/stack/up.sh on every start.
bind 127.0.0.1
protected-mode yes
port $REDIS_PORT_COACHAI
daemonize yes
supervised no
pidfile $REDIS_PIDFILE
logfile $REDIS_LOG
loglevel notice
dir $REDIS_DIR
save ""
appendonly no
maxclients 10000
databases 16
EOF
  rm -f "$REDIS_PIDFILE"
  if ! redis-server "$REDIS_DIR/redis.conf" >>"$REDIS_LOG" 2>&1 9>&-; then
    tail_log "$REDIS_LOG"
    die "redis-server failed to start"
  fi
  if ! wait_until 20 redis_ping; then
    tail_log "$REDIS_LOG"
    die "Redis did not answer PING on $endpoint within 20s (log: $REDIS_LOG)"
  fi
  record_started redis
  report redis ready "$endpoint (started)"
}

# --- ChromaDB ------------------------------------------------------------------------------------

CHROMA_LOG="$LOG_DIR/chroma.log"

start_chroma() {
  local endpoint="127.0.0.1:$CHROMA_PORT_COACHAI" pid
  pid="$(pidfile_pid "$CHROMA_PIDFILE")"
  if [ -n "$pid" ] && chroma_heartbeat; then
    record_started chroma
    report chroma ready "$endpoint (already running)"
    return 0
  fi
  if [ -n "$pid" ]; then
    # Our process exists but does not answer (still starting?): give it a moment, else restart.
    if wait_until 60 chroma_heartbeat; then
      record_started chroma
      report chroma ready "$endpoint (already running)"
      return 0
    fi
    log "chroma (pid $pid) does not answer; restarting it"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    wait_until 15 sh -c "! kill -0 $pid" || kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if port_open "$CHROMA_PORT_COACHAI"; then
    if wait_until 10 chroma_heartbeat; then
      unrecord_started chroma
      report chroma ready "$endpoint (reused: served by another instance, not stopped by down.sh)"
      return 0
    fi
    die "port $CHROMA_PORT_COACHAI is taken by something that does not answer $CHROMA_HEARTBEAT_PATH; stop it or set CHROMA_PORT_COACHAI"
  fi
  ensure_venv
  mkdir -p "$CHROMA_DIR"
  {
    printf '\n===== %s starting chroma %s on %s =====\n' "$(date -Is)" "$CHROMADB_VERSION" "$endpoint"
  } >>"$CHROMA_LOG"
  # setsid: own session/process group, so a Ctrl-C in the caller's terminal does not reach it and
  # down.sh can signal the whole group.
  ANONYMIZED_TELEMETRY=False NO_COLOR=1 \
    nohup setsid "$VENV_DIR/bin/chroma" run --host 127.0.0.1 --port "$CHROMA_PORT_COACHAI" \
    --path "$CHROMA_DIR" >>"$CHROMA_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$CHROMA_PIDFILE"
  local deadline=$(( $(date +%s) + 120 ))
  until chroma_heartbeat; do
    if ! pid_alive "$pid"; then
      tail_log "$CHROMA_LOG"
      rm -f "$CHROMA_PIDFILE"
      die "chroma exited during start-up (log: $CHROMA_LOG)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail_log "$CHROMA_LOG"
      die "chroma did not answer $CHROMA_HEARTBEAT_PATH on $endpoint within 120s (log: $CHROMA_LOG)"
    fi
    sleep 0.3
  done
  record_started chroma
  report chroma ready "$endpoint (started, chromadb $CHROMADB_VERSION)"
}

# --- Ollama --------------------------------------------------------------------------------------

OLLAMA_LOG="$LOG_DIR/ollama.log"

# The models the services use, imported once into the models directory (scripts/ollama/models.sh).
ollama_models() {
  "$STACK_DIR/../ollama/models.sh" || die "importing the Ollama models into $OLLAMA_URL failed (see above)"
}

# The build takes 20-30 minutes on a cold machine: the stack lock is released meanwhile, so that
# other clones' up/down are not held up (build.sh has its own lock), and taken again to start.
ollama_build() {
  ollama_built && return 0
  flock -u 9
  "$STACK_DIR/../ollama/build.sh" >/dev/null 9>&- || die "building Ollama $OLLAMA_VERSION failed (see above)"
  take_stack_lock
}

start_ollama() {
  local endpoint="127.0.0.1:$OLLAMA_PORT_COACHAI" pid version
  if [ "$OLLAMA_URL" != "http://$endpoint" ]; then
    # OLLAMA_URL names another server: use it as it is, start nothing.
    version="$(ollama_version || true)"
    [ -n "$version" ] ||
      die "OLLAMA_URL=$OLLAMA_URL does not answer /api/version; unset it to let up.sh start Ollama on $endpoint (OLLAMA_PORT_COACHAI)"
    ollama_models
    report ollama ready "${OLLAMA_URL#*://} (reused: ollama $version at OLLAMA_URL, not stopped by down.sh)"
    return 0
  fi
  pid="$(pidfile_pid "$OLLAMA_PIDFILE")"
  if [ -n "$pid" ] && wait_until 30 ollama_version; then
    record_started ollama
    ollama_models
    report ollama ready "$endpoint (already running, ollama $(ollama_version))"
    return 0
  fi
  if [ -n "$pid" ]; then
    log "ollama (pid $pid) does not answer; restarting it"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    wait_until 15 sh -c "! kill -0 $pid" || kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  version="$(ollama_version || true)"
  if [ -n "$version" ]; then
    unrecord_started ollama
    ollama_models
    report ollama ready "$endpoint (reused: ollama $version, served by another instance, not stopped by down.sh)"
    return 0
  fi
  port_open "$OLLAMA_PORT_COACHAI" &&
    die "port $OLLAMA_PORT_COACHAI is taken by something that does not answer /api/version; stop it or set OLLAMA_PORT_COACHAI"
  ollama_build
  # Another clone may have started one while the lock was released.
  version="$(ollama_version || true)"
  if [ -n "$version" ]; then
    ollama_models
    unrecord_started ollama
    report ollama ready "$endpoint (reused: ollama $version, served by another instance, not stopped by down.sh)"
    return 0
  fi
  mkdir -p "$OLLAMA_MODELS_DIR"
  printf '\n===== %s starting ollama %s on %s =====\n' "$(date -Is)" "$OLLAMA_VERSION" "$endpoint" >>"$OLLAMA_LOG"
  # The models directory is shared by every clone's Ollama on this machine: OLLAMA_NOPRUNE keeps a
  # starting server from deleting a blob another one has received but not yet named in a model.
  OLLAMA_HOST="$endpoint" OLLAMA_MODELS="$OLLAMA_MODELS_DIR" OLLAMA_NOPRUNE=1 \
    nohup setsid "$OLLAMA_BIN" serve >>"$OLLAMA_LOG" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$OLLAMA_PIDFILE"
  local deadline=$(( $(date +%s) + 60 ))
  until version="$(ollama_version)"; do
    if ! pid_alive "$pid"; then
      tail_log "$OLLAMA_LOG"
      rm -f "$OLLAMA_PIDFILE"
      die "ollama exited during start-up (log: $OLLAMA_LOG)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail_log "$OLLAMA_LOG"
      die "ollama did not answer /api/version on $endpoint within 60s (log: $OLLAMA_LOG)"
    fi
    sleep 0.3
  done
  record_started ollama
  ollama_models
  report ollama ready "$endpoint (started, ollama $version)"
}

# --- main ----------------------------------------------------------------------------------------

mkdir -p "$COACHAI_LOCAL" "$LOG_DIR"
take_stack_lock
install_packages
ensure_traversable postgres "$COACHAI_LOCAL"
components=("$@")
[ "${#components[@]}" -gt 0 ] || components=(postgresql redis chroma ollama)
for component in "${components[@]}"; do
  case "$component" in
    postgresql) start_postgres ;;
    redis) start_redis ;;
    chroma) start_chroma ;;
    ollama) start_ollama ;;
    *) die "unknown component $component; expected postgresql, redis, chroma or ollama" ;;
  esac
done
