#!/usr/bin/env bash
# psql as the PostgreSQL superuser (`postgres`) of the local stack, over its unix socket (local
# trust; the socket is mode 0700, so only root and the postgres OS user reach it). Works for the
# cluster of this clone and for one started by another clone on the same port.
#   psql-admin.sh [psql args...]     e.g. psql-admin.sh -c 'select version()'  (default db: coachai)
#   eval "$(psql-admin.sh --env)"    export PGHOST/PGPORT/PGUSER/PGDATABASE, e.g. for pgbench
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# Find the socket directory of whichever server listens on the port (ours, or another clone's).
sockdir=""
sock="$(awk -v s="/.s.PGSQL.$PGPORT_COACHAI" \
  'length($NF) > length(s) && substr($NF, length($NF) - length(s) + 1) == s { print $NF; exit }' \
  /proc/net/unix 2>/dev/null || true)"
if [ -n "$sock" ]; then
  sockdir="$(dirname "$sock")"
elif [ -S "$PG_SOCKDIR/.s.PGSQL.$PGPORT_COACHAI" ]; then
  sockdir="$PG_SOCKDIR"
else
  die "no PostgreSQL unix socket for port $PGPORT_COACHAI (is the stack up? run scripts/stack/up.sh)"
fi

export PGHOST="$sockdir" PGPORT="$PGPORT_COACHAI" PGUSER=postgres PGDATABASE="${PGDATABASE:-coachai}"
if [ "${1:-}" = "--env" ]; then
  printf 'export PGHOST=%q PGPORT=%q PGUSER=%q PGDATABASE=%q\n' "$PGHOST" "$PGPORT" "$PGUSER" "$PGDATABASE"
  exit 0
fi
exec psql -X "$@"
