#!/usr/bin/env bash
# GET /api/v1/creators/{id}/content?limit=50 throughput at 64 concurrent clients (wrk against
# the release binary) compared with pgbench running the same statements at the same concurrency:
# BEGIN, the tenant's set_config, the listing SELECT of store/library.rs::page with the
# parameters the handler binds (no filter, no cursor, LIMIT limit+1), COMMIT.
#
# The Hub verifies tokens against the Auth service's JWKS, so the Auth release binary runs too,
# on its own port with a key generated into a temporary SIGNING_KEYS_DIR; a creator signs up
# through it and its access token is used on the Hub. The creator's library is filled with
# ITEMS (default 200, the default document quota) JSON uploads through the Hub, so a page of
# LIMIT (default 50) is full and has a next cursor. Needs the local stack (PostgreSQL, Redis,
# pgbench from postgresql-client-15: scripts/stack/up.sh) and wrk (installed when missing).
#
# It also reports the Hub's peak resident memory (VmHWM) at start, after a generated PDF of
# PDF_PAGES pages (default 1000; 0 skips it, make_pdf.py writes it), after the JSON uploads, after
# a second creator uploads one text file of FILE_MIB MiB (default 10, the file limit; 0 skips
# it) through multipart, and after the rounds.
#
# ROUNDS (default 3) of wrk then pgbench, DURATION seconds each (default 10); each round's
# figures and ratio are printed, then the median ratio.
#
#   bash services/creator-hub/benches/list_vs_pgbench.sh
#   ROUNDS=3 DURATION=10 BENCH_PORT=18102 MIGRATE=0 bash services/creator-hub/benches/list_vs_pgbench.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/../../../scripts/env.sh"
# shellcheck source=/dev/null
source "$here/../../../scripts/apt.sh"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
PORT="${BENCH_PORT:-18102}"
AUTH_PORT="${BENCH_AUTH_PORT:-$((PORT + 1))}"
ITEMS="${ITEMS:-200}"
LIMIT="${LIMIT:-50}"
FILE_MIB="${FILE_MIB:-10}"
PDF_PAGES="${PDF_PAGES:-1000}"
work="$(mktemp -d)"
trap 'kill "${hub:-0}" "${auth:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v pgbench >/dev/null || { echo "pgbench is missing: run scripts/stack/up.sh" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)" >&2
    apt_install wrk >/dev/null
fi

cargo build --release -q -p coachai-auth -p coachai-creator-hub \
    --bin coachai-auth --bin coachai-creator-hub
# MIGRATE=0 when the database is already at (or past) this checkout's migrations.
[ "${MIGRATE:-1}" = 0 ] || cargo run -q --bin coachai-migrate

# wait_up <url> <log>: waits up to 10 s for a health URL to answer.
wait_up() {
    for _ in $(seq 50); do
        curl -sf "$1" >/dev/null && return 0
        sleep 0.2
    done
    echo "$1 did not come up; its log:" >&2
    cat "$2" >&2
    exit 1
}

mkdir -m 700 "$work/keys"
openssl genpkey -algorithm ed25519 -out "$work/keys/bench.pem"
# The Auth service only issues the token and serves the JWKS: a small pool is enough.
PORT="$AUTH_PORT" SIGNING_KEYS_DIR="$work/keys" ACCESS_TOKEN_TTL_SECS=3600 \
    DATABASE_MAX_CONNECTIONS=4 LOG_FORMAT=json RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/coachai-auth" >"$work/auth.log" 2>&1 &
auth=$!
wait_up "http://127.0.0.1:$AUTH_PORT/api/v1/auth/health" "$work/auth.log"

# The service under test: release build, its own port. A pool of 16 connections beats 64 on a
# 2-core machine (less contention inside PostgreSQL); BENCH_POOL overrides it.
PORT="$PORT" AUTH_JWKS_URL="http://127.0.0.1:$AUTH_PORT/api/v1/auth/.well-known/jwks.json" \
    DATABASE_MAX_CONNECTIONS="${BENCH_POOL:-16}" LOG_FORMAT=json RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/coachai-creator-hub" >"$work/hub.log" 2>&1 &
hub=$!
wait_up "http://127.0.0.1:$PORT/api/v1/creators/health" "$work/hub.log"

# peak_rss <when>: records the Hub's peak resident memory so far.
peak_rss() { echo "$1 $(awk '/^VmHWM/ {printf "%.1f MiB", $2 / 1024}' "/proc/$hub/status")" >>"$work/rss"; }
peak_rss "at start:"

# signup: signs a new creator up; prints the Auth service's JSON answer.
signup() {
    local slug
    slug="bench-$(date +%s)-$RANDOM"
    curl -sf -H 'content-type: application/json' \
        -d "{\"email\":\"owner@$slug.example.com\",\"password\":\"bench mark passphrase\",\"creator_name\":\"Bench\",\"slug\":\"$slug\"}" \
        "http://127.0.0.1:$AUTH_PORT/api/v1/auth/signup"
}
# field <name> <json>: one field of a JSON object.
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$2"; }
reply="$(signup)"
token="$(field access_token "$reply")"
creator="$(field creator_id "$reply")"
content="/api/v1/creators/$creator/content"

if [ "$PDF_PAGES" -gt 0 ]; then
    # The ingestion memory figure: a generated PDF of PDF_PAGES pages (~3,000 characters each)
    # uploaded by another creator, first, so the high-water mark is this document's.
    python3 "$here/make_pdf.py" "$PDF_PAGES" "$work/doc.pdf"
    other="$(signup)"
    started="$(date +%s.%N)"
    curl -sf -H "Authorization: Bearer $(field access_token "$other")" \
        -F "file=@$work/doc.pdf;type=application/pdf" \
        "http://127.0.0.1:$PORT/api/v1/creators/$(field creator_id "$other")/content" >"$work/pdf.json" ||
        { echo "the $PDF_PAGES-page PDF upload was refused (see $work/hub.log)" >&2; exit 1; }
    took="$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")"
    chunks="$(python3 -c "import json; print(json.load(open('$work/pdf.json'))['chunks_total'])")"
    [ "$chunks" -ge "$PDF_PAGES" ] ||
        { echo "the PDF gave $chunks chunks, expected at least one a page" >&2; exit 1; }
    peak_rss "after a $PDF_PAGES-page PDF of $(($(stat -c %s "$work/doc.pdf") / 1024)) KiB, $chunks chunks (${took} s):"
fi

echo "seeding $ITEMS content items through POST $content" >&2
body="Week plan. Warm up ten minutes, then three rounds of intervals. Rest well between rounds and keep a steady pace; note how each round felt. Close with a slow jog and stretching."
for n in $(seq "$ITEMS"); do
    curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        -d "{\"title\":\"Bench item $n\",\"kind\":\"text\",\"body\":\"$body ($n)\",\"tags\":[\"bench\",\"week-$((n % 10))\"]}" \
        "http://127.0.0.1:$PORT$content" ||
        { echo "upload $n was refused (see $work/hub.log)" >&2; exit 1; }
done
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT$content?limit=$LIMIT" |
    python3 -c "
import json, sys
page = json.load(sys.stdin)
if len(page['items']) != $LIMIT or not page['next_cursor']:
    sys.exit(f\"the first page has {len(page['items'])} items, expected a full page of $LIMIT\")
"
peak_rss "after $ITEMS JSON uploads:"

if [ "$FILE_MIB" -gt 0 ]; then
    # Prose of exactly FILE_MIB MiB, uploaded by another creator so the listing stays as seeded.
    python3 -c "
import sys
line = b'Keep a steady pace and note how each round felt; rest well between rounds. '
size = $FILE_MIB * 1024 * 1024
text = (line * (size // len(line) + 1))[:size - 1] + b'\\n'
sys.stdout.buffer.write(text)
" >"$work/big.txt"
    other="$(signup)"
    started="$(date +%s.%N)"
    curl -sf -o /dev/null -H "Authorization: Bearer $(field access_token "$other")" \
        -F "file=@$work/big.txt;type=text/plain" \
        "http://127.0.0.1:$PORT/api/v1/creators/$(field creator_id "$other")/content" ||
        { echo "the $FILE_MIB MiB file upload was refused (see $work/hub.log)" >&2; exit 1; }
    took="$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")"
    peak_rss "after a $FILE_MIB MiB file upload (${took} s):"
fi

# The statements the handler runs: CreatorScoped opens the transaction with the tenant's
# set_config, library::page binds the creator, NULL filters, no cursor and LIMIT limit+1.
# The SELECT mirrors store/content.rs COLUMNS and store/library.rs page; change them together.
cat >"$work/list.sql" <<SQL
BEGIN;
SELECT set_config('app.current_creator_id', '$creator', true);
SELECT c.id, c.title, c.kind, c.status, c.failure_reason, c.version, c.pending_version,
    (SELECT count(*) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id AND ch.version = c.version)
      AS chunks_total,
    (SELECT count(ch.embedding_id) FROM content_chunks ch
      WHERE ch.creator_id = c.creator_id AND ch.content_id = c.id AND ch.version = c.version)
      AS chunks_processed,
    c.size_bytes, c.tags, c.source_filename, c.created_at, c.updated_at
  FROM content_items c
 WHERE c.creator_id = '$creator'::uuid
   AND (NULL::text IS NULL OR c.status = NULL::text)
   AND (NULL::text IS NULL OR c.kind = NULL::text)
   AND (NULL::text IS NULL OR c.tags @> ARRAY[NULL::text])
   AND (NULL::text IS NULL OR c.title ILIKE NULL::text)
   AND (NULL::timestamptz IS NULL OR (c.created_at, c.id) < (NULL::timestamptz, NULL::uuid))
 ORDER BY c.created_at DESC, c.id DESC
 LIMIT $((LIMIT + 1));
COMMIT;
SQL
rows="$(psql "$DATABASE_URL" -qAt -v ON_ERROR_STOP=1 -f "$work/list.sql" | grep -c "|")"
[ "$rows" -eq "$((LIMIT + 1))" ] ||
    { echo "the pgbench SELECT returns $rows rows, expected $((LIMIT + 1))" >&2; exit 1; }

# Rounds side by side, so that a load that drifts (a build next door) moves both figures of a
# round alike; the ratios are the result.
for round in $(seq 0 $((ROUNDS - 1))); do
    echo "== round $round: wrk, GET $content?limit=$LIMIT, 64 connections, ${DURATION}s"
    wrk -t2 -c64 -d"${DURATION}s" -s "$here/list.lua" "http://127.0.0.1:$PORT" -- \
        "$token" "$content?limit=$LIMIT" | tee "$work/list.$round.txt"
    if grep -q 'Non-2xx' "$work/list.$round.txt"; then
        echo "wrk saw refused requests; the figure is not a listing figure (see $work/hub.log)" >&2
        exit 1
    fi
    if grep -q 'Socket errors' "$work/list.$round.txt"; then
        echo "note: wrk saw socket errors in round $round (see above)" >&2
    fi
    echo "== round $round: pgbench, the same SQL, 64 clients, 2 threads, ${DURATION}s"
    pgbench -n -c 64 -j 2 -T "$DURATION" -f "$work/list.sql" "$DATABASE_URL" |
        tee "$work/pgbench.$round.txt"
done

peak_rss "after the rounds:"

python3 "$here/list_summary.py" "$work" "$ROUNDS"
echo "Hub peak RSS (VmHWM):"
sed 's/^/  /' "$work/rss"
