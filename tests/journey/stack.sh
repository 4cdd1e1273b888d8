#!/usr/bin/env bash
# The journey's own PostgreSQL and ChromaDB (scripts/stack/up.sh and down.sh with a stack
# directory and ports of their own), and the faults the journey injects into them. Never the
# shared stack: its directory and ports must differ from the shared ones, or this refuses to act.
#   stack.sh up | down            start (initdb, roles, database) / stop both
#   stack.sh stop-postgresql | start-postgresql   a restart in two steps (pg_ctl stop -m fast
#                                 cuts every connection), so the journey can act while it is down
#   stack.sh stop-chroma | start-chroma
# Settings: JOURNEY_LOCAL ($COACHAI_LOCAL/journey), JOURNEY_PG_PORT (19432),
# JOURNEY_CHROMA_PORT (19100).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$COACHAI_ROOT"

shared_pg="$PGPORT_COACHAI" shared_chroma="$CHROMA_PORT_COACHAI" shared_local="$COACHAI_LOCAL"
# The shared stack's venv holds the pinned chromadb server; the journey's stack runs the same one.
export COACHAI_VENV_DIR="${COACHAI_VENV_DIR:-$COACHAI_LOCAL/venv}"
export COACHAI_LOCAL="${JOURNEY_LOCAL:-$COACHAI_LOCAL/journey}"
export PGPORT_COACHAI="${JOURNEY_PG_PORT:-19432}"
export CHROMA_PORT_COACHAI="${JOURNEY_CHROMA_PORT:-19100}"
if [ "$COACHAI_LOCAL" = "$shared_local" ]; then
    echo "journey stack: JOURNEY_LOCAL is the shared stack's directory $shared_local" >&2
    exit 1
fi
if [ "$PGPORT_COACHAI" = "$shared_pg" ] || [ "$CHROMA_PORT_COACHAI" = "$shared_chroma" ]; then
    echo "journey stack: ports $PGPORT_COACHAI/$CHROMA_PORT_COACHAI are the shared stack's" >&2
    exit 1
fi

case "${1:-}" in
    up) scripts/stack/up.sh postgresql chroma ;;
    down) scripts/stack/down.sh postgresql chroma ;;
    stop-chroma) scripts/stack/down.sh chroma ;;
    start-chroma) scripts/stack/up.sh chroma ;;
    stop-postgresql) scripts/stack/down.sh postgresql ;;
    start-postgresql) scripts/stack/up.sh postgresql ;;
    *) sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
