#!/usr/bin/env bash
# The browser suite (tests/browser): builds the service binaries and the Ollama double, then runs
# headless Chromium against them behind the nginx gateway on ports 19001-19004, 19011 and 19080
# (apart from `make up` and tests/e2e/platform.sh), on a database of its own in the local
# PostgreSQL (`coachai_browser`, created and migrated here): an AI Engine of `make up` on the same
# cluster would otherwise claim the suite's ingestion jobs and embed them with another Ollama.
# Likewise a Redis database of its own (index 9, emptied at the start), so the sign-up and login
# rate limits of 127.0.0.1 are not spent by other suites on the machine or by earlier runs.
# Needs the local stack and what
# scripts/tools.sh installs (chromium, chromium-driver, axe-core); a missing one fails the suite.
# Screenshots and logs: $COACHAI_LOCAL/browser-suite/. Extra arguments go to the test binary
# (a name filter, --nocapture).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$COACHAI_ROOT"

for program in chromium chromedriver; do
    command -v "$program" >/dev/null 2>&1 \
        || { echo "browser: $program is not installed; scripts/tools.sh installs it" >&2; exit 1; }
done
[ -f "$AXE_CORE_JS" ] || { echo "browser: axe-core is missing at $AXE_CORE_JS; scripts/tools.sh installs it" >&2; exit 1; }

BROWSER_DB="${BROWSER_DB:-coachai_browser}"
PGOPTIONS="-c client_min_messages=warning" scripts/stack/psql-admin.sh -q -v ON_ERROR_STOP=1 -d postgres <<SQL
SELECT 'CREATE DATABASE $BROWSER_DB OWNER coachai_owner ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$BROWSER_DB') \gexec
GRANT CONNECT ON DATABASE $BROWSER_DB TO coachai_app;
SQL
PGOPTIONS="-c client_min_messages=warning" scripts/stack/psql-admin.sh -q -v ON_ERROR_STOP=1 -d "$BROWSER_DB" <<'SQL'
ALTER SCHEMA public OWNER TO coachai_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO coachai_app;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
SQL
export DATABASE_URL="${DATABASE_URL%/*}/$BROWSER_DB"
export MIGRATION_DATABASE_URL="${MIGRATION_DATABASE_URL%/*}/$BROWSER_DB"
BROWSER_REDIS_DB="${BROWSER_REDIS_DB:-9}"
[[ "$REDIS_URL" =~ ^(redis://[^/]+)(/[0-9]*)?$ ]] \
    || { echo "browser: REDIS_URL $REDIS_URL is not redis://host:port[/db]" >&2; exit 1; }
export REDIS_URL="${BASH_REMATCH[1]}/$BROWSER_REDIS_DB"
redis-cli -u "$REDIS_URL" flushdb >/dev/null

cargo build --quiet --workspace --bins
# Link the binaries just built into a directory of the suite's own at once: the target
# directory may be shared with other clones, whose builds replace target/debug/<bin>.
COACHAI_BIN_DIR="$COACHAI_LOCAL/browser-suite/bin"
mkdir -p "$COACHAI_BIN_DIR"
for bin in coachai-auth coachai-creator-hub coachai-ai-engine coachai-channel \
    coachai-ollama-double coachai-migrate; do
    ln -f "$CARGO_TARGET_DIR/debug/$bin" "$COACHAI_BIN_DIR/$bin" 2>/dev/null \
        || cp -f "$CARGO_TARGET_DIR/debug/$bin" "$COACHAI_BIN_DIR/$bin"
done
export COACHAI_BIN_DIR
"$COACHAI_BIN_DIR/coachai-migrate" >/dev/null
# The suite's own WebDriver client against a fake driver, then the suite.
cargo test --quiet -p coachai-browser-tests --lib
cargo test --quiet -p coachai-browser-tests --test it -- "$@"
echo "browser     ok     chat page, widget, console, accessibility and CSP in headless Chromium"
