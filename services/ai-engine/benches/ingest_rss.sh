#!/usr/bin/env bash
# Peak resident memory (VmHWM) of the AI Engine's embedding worker, and of the Creator Hub, while
# a generated PDF of 250 and then of 1,000 pages is ingested end to end: if the worker holds one
# batch at a time (services/ai-engine/src/worker/), the engine's peak after the 1,000-page
# document is close to its peak after the 250-page one.
#
# Release builds of the Auth service, the Hub, the AI Engine and the Ollama double
# (`coachai-ollama-double`, deterministic 384-dimension "all-minilm" embeddings) run on their own
# ports (BENCH_PORT, default 18201, and the next three), against the stack of scripts/env.sh
# (PostgreSQL, Redis, ChromaDB). Auth signs with a key generated into a temporary
# SIGNING_KEYS_DIR; the Hub and the engine verify its tokens. The engine runs one embedding
# worker (EMBED_WORKERS=1) embedding with the double.
#
# For each page count of PAGES (default "250 1000", ascending: VmHWM only grows), a new creator
# signs up through Auth, switches its embedding model to all-minilm (PATCH /creators/{id}),
# uploads the PDF (services/creator-hub/benches/make_pdf.py, ~3,000 characters a page) through
# multipart POST /creators/{id}/content, and the item is polled until `ready` (READY_TIMEOUT
# seconds, default 900; `failed` stops the run with its status_reason). Then both peaks are read
# from /proc/<pid>/status.
#
# The ingestion queue is shared with whatever else uses the database, and the worker takes due
# jobs oldest first: the script waits (QUEUE_WAIT seconds, default 10: its worker takes other
# users' jobs meanwhile) for older due jobs to be worked before its baseline, and reports how many
# were due ahead of each document (counted through scripts/stack/psql-admin.sh; "?" when it
# cannot reach the database as superuser) and what its worker handled (kind and outcome).
# Another worker on the same database (an AI Engine, a test) may take the job instead: the script
# counts the jobs its engine worked (its /metrics) and stops if its document was not one of them.
#
#   bash services/ai-engine/benches/ingest_rss.sh
#   PAGES="250 1000" BENCH_PORT=18201 MIGRATE=0 bash services/ai-engine/benches/ingest_rss.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
# shellcheck source=/dev/null
source "$root/scripts/env.sh"
PAGES="${PAGES:-250 1000}"
PORT="${BENCH_PORT:-18201}"
AUTH_PORT="$((PORT + 1))"
ENGINE_PORT="$((PORT + 2))"
DOUBLE_PORT="$((PORT + 3))"
READY_TIMEOUT="${READY_TIMEOUT:-900}"
QUEUE_WAIT="${QUEUE_WAIT:-10}"
work="$(mktemp -d)"
stop() { kill "${engine:-0}" "${hub:-0}" "${auth:-0}" "${double:-0}" 2>/dev/null || true; }
trap 'stop; rm -rf "$work"' EXIT

cargo build --release -q -p coachai-auth -p coachai-creator-hub -p coachai-ai-engine \
    -p coachai-ollama-double --bin coachai-auth --bin coachai-creator-hub \
    --bin coachai-ai-engine --bin coachai-ollama-double
# MIGRATE=0 when the database is already at (or past) this checkout's migrations.
[ "${MIGRATE:-1}" = 0 ] || cargo run -q --bin coachai-migrate
bin="$CARGO_TARGET_DIR/release"

# wait_up <url> <log>: waits up to 20 s for a health URL to answer.
wait_up() {
    for _ in $(seq 100); do
        curl -sf "$1" >/dev/null && return 0
        sleep 0.2
    done
    echo "$1 did not come up; its log:" >&2
    cat "$2" >&2
    exit 1
}

"$bin/coachai-ollama-double" --port "$DOUBLE_PORT" >"$work/double.log" 2>&1 &
double=$!
wait_up "http://127.0.0.1:$DOUBLE_PORT/api/version" "$work/double.log"

mkdir -m 700 "$work/keys"
openssl genpkey -algorithm ed25519 -out "$work/keys/bench.pem"
PORT="$AUTH_PORT" SIGNING_KEYS_DIR="$work/keys" ACCESS_TOKEN_TTL_SECS=3600 \
    DATABASE_MAX_CONNECTIONS=4 LOG_FORMAT=json RUST_LOG=warn \
    "$bin/coachai-auth" >"$work/auth.log" 2>&1 &
auth=$!
wait_up "http://127.0.0.1:$AUTH_PORT/api/v1/auth/health" "$work/auth.log"

jwks="http://127.0.0.1:$AUTH_PORT/api/v1/auth/.well-known/jwks.json"
PORT="$PORT" AUTH_JWKS_URL="$jwks" DATABASE_MAX_CONNECTIONS=8 LOG_FORMAT=json RUST_LOG=warn \
    "$bin/coachai-creator-hub" >"$work/hub.log" 2>&1 &
hub=$!
wait_up "http://127.0.0.1:$PORT/api/v1/creators/health" "$work/hub.log"

PORT="$ENGINE_PORT" AUTH_JWKS_URL="$jwks" OLLAMA_URL="http://127.0.0.1:$DOUBLE_PORT" \
    EMBED_WORKERS=1 DATABASE_MAX_CONNECTIONS=8 LOG_FORMAT=json RUST_LOG=warn \
    "$bin/coachai-ai-engine" >"$work/engine.log" 2>&1 &
engine=$!
wait_up "http://127.0.0.1:$ENGINE_PORT/api/v1/ai/health" "$work/engine.log"

# worked [kind]: jobs our engine's worker has handled (of that kind, completed), from /metrics.
worked() {
    curl -sf "http://127.0.0.1:$ENGINE_PORT/metrics" | awk -v kind="${1:-}" '
        /^coachai_ingestion_jobs_total\{/ && (kind == "" ||
            (index($0, "kind=\"" kind "\"") && index($0, "outcome=\"completed\""))) { n += $NF }
        END { print n + 0 }'
}
# hwm <pid>: peak resident memory of a process so far, in MiB.
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# due: ingestion jobs any worker may claim now (queued and due, or with an expired lease).
due() {
    bash "$root/scripts/stack/psql-admin.sh" -qAt -c "SELECT count(*) FROM ingestion_jobs
        WHERE status IN ('queued', 'running') AND next_run_at <= now()
          AND (status = 'queued' OR locked_until < now())" 2>/dev/null || echo "?"
}
# api <curl args...> <url>: the response body of a 2xx answer; otherwise says what came back and
# fails.
api() {
    local out code
    out="$(curl -sS -w '\n%{http_code}' "$@")"
    code="${out##*$'\n'}"
    out="${out%$'\n'*}"
    [[ "$code" == 2?? ]] || { echo "HTTP $code from ${*: -1}: $out" >&2; return 1; }
    printf '%s\n' "$out"
}
# field <name> <json>: one field of a JSON object.
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$2"; }
# now: seconds since the epoch, with fractions.
now() { date +%s.%N; }
# since <start>: seconds since start, one decimal.
since() { python3 -c "import time; print(f'{time.time() - $1:.1f}')"; }

# The baseline: the engine started, its worker idle (or QUEUE_WAIT over).
waited="$(now)"
while [ "$(since "$waited" | cut -d. -f1)" -lt "$QUEUE_WAIT" ]; do
    case "$(due)" in 0 | "?") break ;; esac
    sleep 1
done
sleep 2
printf '%s\n' "$(due)" >"$work/due.start"
row() { printf '%-9s %6s %7s %9s %10s %7s %11s %8s' "$@"; }
rows=("$(row pages KiB chunks "to ready" "due ahead" worked "engine MiB" "hub MiB")")
rows+=("$(row baseline - - - "$(cat "$work/due.start")" "$(worked)" "$(hwm "$engine")" \
    "$(hwm "$hub")")")
first_hwm=""

# ingest <pages>: one creator, one PDF of <pages> pages, uploaded and polled until ready.
ingest() {
    local pages="$1" slug reply token creator base item id status started ahead before completed
    python3 "$root/services/creator-hub/benches/make_pdf.py" "$pages" "$work/doc.pdf"
    slug="rss-$(date +%s)-$RANDOM"
    # Sign-ups are limited per client address (10 an hour), and 127.0.0.1 is shared with every
    # other local run: each bench creator comes from its own address, forwarded by 127.0.0.1 (a
    # trusted proxy by default).
    reply="$(api -H 'content-type: application/json' \
        -H "x-forwarded-for: 10.$((RANDOM % 256)).$((RANDOM % 256)).$((RANDOM % 254 + 1))" \
        -d "{\"email\":\"owner@$slug.example.com\",
        \"password\":\"bench mark passphrase\",\"creator_name\":\"Bench\",\"slug\":\"$slug\"}" \
        "http://127.0.0.1:$AUTH_PORT/api/v1/auth/signup")"
    token="$(field access_token "$reply")"
    creator="$(field creator_id "$reply")"
    base="http://127.0.0.1:$PORT/api/v1/creators/$creator"
    api -X PATCH -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        -d '{"embedding_model":"all-minilm"}' "$base" >/dev/null
    ahead="$(due)"
    before="$(worked)"
    completed="$(worked embed)"
    started="$(now)"
    item="$(api -H "Authorization: Bearer $token" \
        -F "file=@$work/doc.pdf;type=application/pdf" "$base/content")"
    id="$(field id "$item")"
    while :; do
        item="$(api -H "Authorization: Bearer $token" "$base/content/$id")"
        status="$(field status "$item")"
        [ "$status" = ready ] && break
        if [ "$status" = failed ]; then
            echo "the $pages-page document failed: $(field status_reason "$item")" >&2
            cat "$work/engine.log" >&2
            exit 1
        fi
        if [ "$(since "$started" | cut -d. -f1)" -ge "$READY_TIMEOUT" ]; then
            echo "the $pages-page document is not ready after $READY_TIMEOUT s: $item" >&2
            cat "$work/engine.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    local took kib engine_hwm
    took="$(since "$started")"
    # The metric moves just after the commit that made the item ready.
    for _ in $(seq 20); do
        [ "$(worked embed)" -gt "$completed" ] && break
        sleep 0.2
    done
    [ "$(worked embed)" -gt "$completed" ] || {
        echo "another worker embedded the $pages-page document: no figure" >&2
        exit 1
    }
    kib="$(($(stat -c %s "$work/doc.pdf") / 1024))"
    engine_hwm="$(hwm "$engine")"
    first_hwm="${first_hwm:-$engine_hwm}"
    last_hwm="$engine_hwm"
    rows+=("$(row "$pages" "$kib" "$(field chunks_total "$item")" "${took}s" "$ahead" \
        "$(($(worked) - before))" "$engine_hwm" "$(hwm "$hub")")")
    echo "${pages} pages: ready in ${took} s" >&2
}

for pages in $PAGES; do
    ingest "$pages"
done

echo "Peak RSS (VmHWM) after each document. 'due ahead': jobs of the shared queue due before the"
echo "upload; 'worked': jobs our worker handled meanwhile (1: only this document; baseline:"
echo "since start)."
printf '%s\n' "${rows[@]}"
echo "jobs our worker handled, by kind and outcome:"
curl -sf "http://127.0.0.1:$ENGINE_PORT/metrics" | sed -n 's/^coachai_ingestion_jobs_total{/  {/p'
read -r -a counts <<<"$PAGES"
python3 - "$first_hwm" "${counts[0]}" "$last_hwm" "${counts[-1]}" <<'PY'
import sys
first, small, last, large = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
ratio = last / first
verdict = "close: bounded by the batch" if ratio < 1.25 else "it GROWS with the document"
print(f"AI Engine peak RSS: {first} MiB after the {small}-page document, {last} MiB after the "
      f"{large}-page one: ratio {ratio:.2f} ({verdict})")
PY
