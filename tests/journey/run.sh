#!/usr/bin/env bash
# The journey suite (tests/journey): a creator's and a client's whole journey through the nginx
# gateway only, then the same journey while PostgreSQL restarts and ChromaDB stops. Faults never
# touch the shared stack: this starts a PostgreSQL and a ChromaDB of the suite's own
# (tests/journey/stack.sh: $COACHAI_LOCAL/journey, ports 19432 and 19100), migrates it, and stops
# both at the end. Redis is the shared one, database index 10 (emptied at the start). The
# platform (four services, the Ollama double, the gateway) runs on 19201-19204, 19211 and 19280,
# apart from `make up`, tests/e2e and the browser suite. Logs: $COACHAI_LOCAL/journey/suite/.
# Extra arguments go to the test binary (a name filter, --nocapture).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$COACHAI_ROOT"

export JOURNEY_LOCAL="${JOURNEY_LOCAL:-$COACHAI_LOCAL/journey}"
export JOURNEY_PG_PORT="${JOURNEY_PG_PORT:-19432}"
export JOURNEY_CHROMA_PORT="${JOURNEY_CHROMA_PORT:-19100}"
JOURNEY_REDIS_DB="${JOURNEY_REDIS_DB:-10}"

[[ "$REDIS_URL" =~ ^(redis://[^/]+)(/[0-9]*)?$ ]] \
    || { echo "journey: REDIS_URL $REDIS_URL is not redis://host:port[/db]" >&2; exit 1; }
export REDIS_URL="${BASH_REMATCH[1]}/$JOURNEY_REDIS_DB"

cargo build --quiet --workspace --bins
# Link the binaries just built into a directory of the suite's own at once: the target
# directory may be shared with other clones, whose builds replace target/debug/<bin>.
COACHAI_BIN_DIR="$JOURNEY_LOCAL/bin"
mkdir -p "$COACHAI_BIN_DIR"
for bin in coachai-auth coachai-creator-hub coachai-ai-engine coachai-channel \
    coachai-ollama-double coachai-migrate; do
    ln -f "$CARGO_TARGET_DIR/debug/$bin" "$COACHAI_BIN_DIR/$bin" 2>/dev/null \
        || cp -f "$CARGO_TARGET_DIR/debug/$bin" "$COACHAI_BIN_DIR/$bin"
done
export COACHAI_BIN_DIR
cargo build --quiet -p coachai-journey-tests --tests

trap 'tests/journey/stack.sh down >/dev/null' EXIT
tests/journey/stack.sh up >/dev/null
pg="127.0.0.1:$JOURNEY_PG_PORT/coachai"
export DATABASE_URL="postgres://coachai_app:coachai_app@$pg"
export PROVISIONER_DATABASE_URL="postgres://coachai_provisioner:coachai_provisioner@$pg"
export MIGRATION_DATABASE_URL="postgres://coachai_owner:coachai_owner@$pg"
export CHROMA_URL="http://127.0.0.1:$JOURNEY_CHROMA_PORT"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
"$COACHAI_BIN_DIR/coachai-migrate" >/dev/null

cargo test --quiet -p coachai-journey-tests --test it -- "$@"
echo "journey     ok     sign-up to deletion through the gateway, and through a PostgreSQL restart and a ChromaDB outage"
