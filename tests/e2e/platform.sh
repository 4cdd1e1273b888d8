#!/usr/bin/env bash
# End-to-end check of what `make up` promises, over real sockets: the four service binaries
# and the nginx gateway start, every /health answers directly and through the gateway, bad
# input through the gateway is a problem+json 4xx, the API docs page and the OpenAPI documents
# of docs/03-api-specifications/openapi/ are what the services serve (UPDATE_OPENAPI=1 writes
# them: `make openapi`), the demo of `make up` seeds (and reuses itself), and a service without PostgreSQL exits with
# one clear line naming the URL without its password. Uses its own ports (18001-18004, 18080)
# so it can run next to `make up`. Needs the local stack (scripts/stack/up.sh) and migrations.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$COACHAI_ROOT"

declare -A PORTS=([auth]=18001 [creator-hub]=18002 [ai-engine]=18003 [channel]=18004)
declare -A PREFIXES=([auth]=auth [creator-hub]=creators [ai-engine]=ai [channel]=channels)
GW_PORT=18080
WORK="$(mktemp -d)"
PIDS=()
failures=0

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    COACHAI_LOCAL="$WORK" GATEWAY_PORT=$GW_PORT scripts/stack/gateway.sh stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*" >&2; failures=$((failures + 1)); }

cargo build --quiet --workspace --bins
for svc in auth creator-hub ai-engine channel; do
    PORT="${PORTS[$svc]}" AI_ENGINE_URL="http://127.0.0.1:${PORTS[ai-engine]}" LOG_FORMAT=json \
        AUTH_JWKS_URL="http://127.0.0.1:${PORTS[auth]}/api/v1/auth/.well-known/jwks.json" \
        "$CARGO_TARGET_DIR/debug/coachai-$svc" >"$WORK/$svc.log" 2>&1 &
    PIDS+=("$!")
done
COACHAI_LOCAL="$WORK" GATEWAY_PORT=$GW_PORT \
    GATEWAY_AUTH_UPSTREAM=127.0.0.1:18001 GATEWAY_CREATOR_HUB_UPSTREAM=127.0.0.1:18002 \
    GATEWAY_AI_ENGINE_UPSTREAM=127.0.0.1:18003 GATEWAY_CHANNEL_UPSTREAM=127.0.0.1:18004 \
    scripts/stack/gateway.sh start >/dev/null

wait_for() { for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

check_health() { # label url service
    local body
    body="$(curl -sS "$2")" || { fail "$1: no answer"; return; }
    if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert set(d)=={"status","service","timestamp","checks"}; assert d["service"]==sys.argv[2]; assert d["status"] in ("healthy","degraded"); assert d["checks"]["postgres"]["status"]=="up"' "$body" "$3"; then
        pass "$1"
    else
        fail "$1: $body"
    fi
}

for svc in auth creator-hub ai-engine channel; do
    path="/api/v1/${PREFIXES[$svc]}/health"
    wait_for "http://127.0.0.1:${PORTS[$svc]}$path" || { fail "$svc did not start"; tail -n 5 "$WORK/$svc.log" >&2; continue; }
    check_health "$svc /health directly" "http://127.0.0.1:${PORTS[$svc]}$path" "$svc"
    check_health "$svc /health through the gateway" "http://127.0.0.1:$GW_PORT$path" "$svc"
done

gw="$(curl -sS "http://127.0.0.1:$GW_PORT/health")"
[[ "$gw" == *'"status":"healthy"'* ]] && pass "gateway /health" || fail "gateway /health: $gw"

problem_status() { # method url content-type body -> "status content-type"
    curl -sS -o /dev/null -w '%{http_code} %{content_type}' -X "$1" -H "content-type: $3" --data-binary "$4" "$2"
}
got="$(problem_status POST "http://127.0.0.1:$GW_PORT/api/v1/auth/login" application/json '{"creator":')"
[[ "$got" == "400 application/problem+json"* ]] && pass "malformed JSON through the gateway is 400 problem+json" || fail "malformed JSON: $got"
got="$(problem_status POST "http://127.0.0.1:$GW_PORT/api/v1/auth/login" text/plain 'hello')"
[[ "$got" == "415 application/problem+json"* ]] && pass "wrong content type is 415 problem+json" || fail "wrong content type: $got"
got="$(curl -sS -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$GW_PORT/nowhere")"
[[ "$got" == "404 application/problem+json"* ]] && pass "unknown path is 404 problem+json" || fail "unknown path: $got"

# The API docs page: Swagger UI's assets and the page through the gateway, with types that a
# browser accepts under nosniff, and every OpenAPI document the page lists.
docs="http://127.0.0.1:$GW_PORT/api/docs"
check_docs_asset() { # path expected-type
    local got
    got="$(curl -sS -o /dev/null -w '%{http_code} %{content_type}' "$docs/$1")"
    [[ "$got" == "200 $2"* ]] && pass "API docs: /api/docs/$1 is $2" || fail "API docs: /api/docs/$1: $got"
}
check_docs_asset "" text/html
check_docs_asset api-docs.js text/javascript
check_docs_asset assets/swagger-ui-bundle.js text/javascript
check_docs_asset assets/swagger-ui.css text/css
for url in $(grep -o '"/api/v1/[a-z]*/openapi.json"' gateway/api-docs/api-docs.js | tr -d '"'); do
    got="$(curl -sS -o /dev/null -w '%{http_code} %{content_type}' "http://127.0.0.1:$GW_PORT$url")"
    [[ "$got" == "200 application/json"* ]] && pass "API docs: $url" || fail "API docs: $url: $got"
done

# The OpenAPI documents in docs/03-api-specifications/openapi/ are the services' own, as served:
# a route added without `make openapi` fails here.
SPECS="docs/03-api-specifications/openapi"
for svc in auth creator-hub ai-engine channel; do
    served="$WORK/$svc.openapi.json"
    curl -fsS "http://127.0.0.1:$GW_PORT/api/v1/${PREFIXES[$svc]}/openapi.json" \
        | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2, sort_keys=True, ensure_ascii=False))' \
        >"$served" || { fail "$svc openapi.json: no document"; continue; }
    if [ "${UPDATE_OPENAPI:-0}" = 1 ]; then
        mkdir -p "$SPECS" && cp "$served" "$SPECS/$svc.json"
        pass "$svc openapi.json written to $SPECS/$svc.json"
    elif cmp -s "$served" "$SPECS/$svc.json"; then
        pass "$SPECS/$svc.json is the served document"
    else
        fail "$SPECS/$svc.json is stale or missing; run \`make openapi\` and commit it"
        diff "$SPECS/$svc.json" "$served" | head -n 20 >&2 || true
    fi
done

# The demo of `make up`, seeded through this gateway twice: the second run reuses everything.
seed() { GATEWAY_PORT=$GW_PORT scripts/seed-demo.sh 2>&1 | tr '\r' '\n'; }
if out="$(seed)" && [[ "$out" == *"demo        ready: "*" items"* ]]; then
    pass "the demo seeds, is embedded and ready: $(grep -c uploaded <<<"$out") item(s) uploaded"
else
    fail "seeding the demo: $out"
fi
if out="$(seed)" && [[ "$out" == *"exists; reusing it"* ]] && [[ "$out" != *uploaded* ]] \
    && [[ "$out" != *invited* ]]; then
    pass "seeding the demo again reuses the creator, its library and its client"
else
    fail "seeding the demo again: $out"
fi

set +e
out="$(DATABASE_URL='postgres://coachai_app:s3cret-pw@127.0.0.1:1/coachai' PORT=18009 \
    timeout 30 "$CARGO_TARGET_DIR/debug/coachai-creator-hub" 2>&1 >/dev/null)"
code=$?
set -e
lines="$(printf '%s\n' "$out" | grep -c .)"
if [ "$code" -ne 0 ] && [ "$lines" -eq 1 ] && [[ "$out" == *"127.0.0.1:1"* ]] && [[ "$out" != *"s3cret-pw"* ]]; then
    pass "no PostgreSQL at start-up: exit $code, one line: $out"
else
    fail "no PostgreSQL at start-up: exit $code, $lines lines: $out"
fi

[ "$failures" -eq 0 ] || { echo "e2e: $failures check(s) failed" >&2; exit 1; }
echo "e2e         ok     four services and the gateway"
