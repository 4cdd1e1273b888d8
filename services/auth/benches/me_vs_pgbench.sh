#!/usr/bin/env bash
# GET /me throughput at 64 concurrent clients (wrk against the release binary) compared with
# the same SQL run by pgbench at the same concurrency. Needs the local stack (PostgreSQL,
# Redis) running. Prints both figures and their ratio.
#
#   bash services/auth/benches/me_vs_pgbench.sh            # 20 s each
#   DURATION=10 bash services/auth/benches/me_vs_pgbench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/../../../scripts/env.sh"
DURATION="${DURATION:-20}"
PORT="${BENCH_PORT:-18001}"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p coachai-auth
cargo run -q --bin coachai-migrate

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

echo "== wrk: GET /me, 64 connections, 2 threads, ${DURATION}s"
wrk -t2 -c64 -d"${DURATION}s" -s "$here/me.lua" "http://127.0.0.1:$PORT" -- "$token" | tee "$work/wrk.txt"

# The same statements the handler runs in its tenant transaction.
cat >"$work/me.sql" <<SQL
BEGIN;
SELECT set_config('app.current_creator_id', '$creator', true);
SELECT email::text, status FROM users WHERE id = '$user';
COMMIT;
SQL
echo "== pgbench: the same SQL, 64 clients, 2 threads, ${DURATION}s"
pgbench -n -c 64 -j 2 -T "$DURATION" -f "$work/me.sql" "$DATABASE_URL" | tee "$work/pgbench.txt"

http_rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
sql_tps="$(awk '/^tps/ {print $3; exit}' "$work/pgbench.txt")"
python3 -c "print(f'GET /me: {float($http_rps):.0f} req/s; pgbench: {float($sql_tps):.0f} tps; ratio {float($http_rps)/float($sql_tps):.2f}')"
