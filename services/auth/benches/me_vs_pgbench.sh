#!/usr/bin/env bash
# GET /me throughput at 64 concurrent clients (wrk against the release binary) compared with
# the same SQL run by pgbench at the same concurrency. Two modes, run one after the other:
#   seen   one token for every request, so after the first the verified-token cache answers;
#   first  TOKENS distinct tokens, each wrk thread walking its own slice, so every request is
#          the first sight of its token (the full Ed25519 check) for as long as the tokens last.
#          TOKENS defaults to 6000 × DURATION, more than this 2-core machine serves; the script
#          says what share of requests were first sights (below 100 % when tokens ran out).
# The service signs with a key generated into a temporary SIGNING_KEYS_DIR, and the tokens are
# minted with that key by the `mint_tokens` example. Needs the local stack (PostgreSQL, Redis,
# pgbench from postgresql-client-15: scripts/stack/up.sh) and wrk (installed when missing).
#
# ROUNDS (default 1) repeats the modes and pgbench side by side and prints each round's ratios
# and their medians.
#
#   bash services/auth/benches/me_vs_pgbench.sh                     # both modes, 20 s each
#   ROUNDS=3 DURATION=10 BENCH_PORT=18101 bash services/auth/benches/me_vs_pgbench.sh
#   MODE=first TOKENS=10000 DURATION=10 bash services/auth/benches/me_vs_pgbench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/../../../scripts/env.sh"
# shellcheck source=/dev/null
source "$here/../../../scripts/apt.sh"
DURATION="${DURATION:-20}"
PORT="${BENCH_PORT:-18001}"
MODE="${MODE:-both}"
TOKENS="${TOKENS:-$((6000 * DURATION))}"
ROUNDS="${ROUNDS:-1}"
case "$MODE" in seen | first | both) ;; *) echo "MODE must be seen, first or both" >&2; exit 2 ;; esac
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v pgbench >/dev/null || { echo "pgbench is missing: run scripts/stack/up.sh" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)" >&2
    apt_install wrk >/dev/null
fi

cargo build --release -q -p coachai-auth --bin coachai-auth --example mint_tokens
# MIGRATE=0 when the database is already at (or past) this checkout's migrations.
[ "${MIGRATE:-1}" = 0 ] || cargo run -q --bin coachai-migrate

mkdir -m 700 "$work/keys"
openssl genpkey -algorithm ed25519 -out "$work/keys/bench.pem"
export SIGNING_KEYS_DIR="$work/keys"

# The service under test: release build, its own port. A pool of 16 connections beats 64 on a
# 2-core machine (less contention inside PostgreSQL); BENCH_POOL overrides it.
PORT="$PORT" DATABASE_MAX_CONNECTIONS="${BENCH_POOL:-16}" LOG_FORMAT=json RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/coachai-auth" >"$work/auth.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$PORT/api/v1/auth/health" >/dev/null && break
    sleep 0.2
done

slug="bench-$(date +%s)-$RANDOM"
reply="$(curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"owner@$slug.example.com\",\"password\":\"bench mark passphrase\",\"creator_name\":\"Bench\",\"slug\":\"$slug\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/signup")"
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$reply"; }
token="$(field access_token)"
creator="$(field creator_id)"
user="$(field user_id)"

# wrk_me <name> <lua script> <args...>: runs wrk; a refused request voids the figure.
wrk_me() {
    local name="$1" script="$2"
    shift 2
    wrk -t2 -c64 -d"${DURATION}s" -s "$script" "http://127.0.0.1:$PORT" -- "$@" | tee "$work/$name.txt"
    if grep -q 'Non-2xx' "$work/$name.txt"; then
        echo "wrk saw refused requests in mode $name; the figure is not a GET /me figure" >&2
        exit 1
    fi
    if grep -q 'Socket errors' "$work/$name.txt"; then
        echo "note: wrk saw socket errors in mode $name (see above)" >&2
    fi
}

# The same statements the handler runs in its tenant transaction.
cat >"$work/me.sql" <<SQL
BEGIN;
SELECT set_config('app.current_creator_id', '$creator', true);
SELECT email::text, status FROM users WHERE id = '$user';
COMMIT;
SQL

if [ "$MODE" != seen ]; then
    # Every round gets tokens of its own: a token of an earlier round would be a cache hit.
    "$CARGO_TARGET_DIR/release/examples/mint_tokens" "$((TOKENS * ROUNDS))" "$creator" "$user" \
        owner >"$work/tokens"
    split -l "$TOKENS" -d -a 3 "$work/tokens" "$work/tokens."
    curl -sf -o /dev/null -H "Authorization: Bearer $(head -n1 "$work/tokens")" \
        "http://127.0.0.1:$PORT/api/v1/auth/me" ||
        { echo "the service refuses the minted tokens (see $work/auth.log)" >&2; exit 1; }
fi

# Rounds of the modes side by side, so that a load that drifts (a build next door) moves
# every figure of a round alike; the ratios are the result.
for round in $(seq 0 $((ROUNDS - 1))); do
    if [ "$MODE" != first ]; then
        echo "== round $round: wrk, GET /me, one token (seen before), 64 connections, ${DURATION}s"
        wrk_me "seen.$round" "$here/me.lua" "$token"
    fi
    if [ "$MODE" != seen ]; then
        echo "== round $round: wrk, GET /me, $TOKENS distinct tokens (first sight), 64 connections, ${DURATION}s"
        wrk_me "first.$round" "$here/me_many.lua" "$(printf '%s/tokens.%03d' "$work" "$round")" 2
    fi
    echo "== round $round: pgbench, the same SQL, 64 clients, 2 threads, ${DURATION}s"
    pgbench -n -c 64 -j 2 -T "$DURATION" -f "$work/me.sql" "$DATABASE_URL" |
        tee "$work/pgbench.$round.txt"
done

python3 "$here/me_summary.py" "$work" "$ROUNDS" "$TOKENS"
