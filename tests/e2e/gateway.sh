#!/usr/bin/env bash
# shellcheck disable=SC2015 # `cond && pass || fail`: pass always succeeds
# End-to-end check of the nginx gateway's edge behaviour (gateway/nginx.conf rendered by
# scripts/stack/gateway.sh) against stand-in services it controls (tests/e2e/upstream.py echoes
# what it received): routing of the four prefixes, X-Request-Id round trip, security headers,
# CORS (preflight and actual requests, allowed and disallowed origins), per-route body limits,
# a stopped service, the JSON access log, and the rate limits per credential and per client
# address tripping at the configured rate and recovering; the web pages (/chat/, /console/)
# reaching the channel with their own Content-Security-Policy and framing. Uses its own ports
# (18480-18484) so it runs next to `make up` and tests/e2e/platform.sh. Run as root (nginx
# binds as root).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$COACHAI_ROOT"

GW_PORT=18480
GW="http://127.0.0.1:$GW_PORT"
declare -A PORTS=([auth]=18481 [creator-hub]=18482 [ai-engine]=18483 [channel]=18484)
declare -A PREFIXES=([auth]=auth [creator-hub]=creators [ai-engine]=ai [channel]=channels)
declare -A UPSTREAM_PIDS=()
ALLOWED_ORIGIN="http://app.coachai.test"
OTHER_ORIGIN="http://evil.example.test"
WORK="$(mktemp -d)"
failures=0

gateway() { # start|stop, with GATEWAY_RATE_*/GATEWAY_BURST_* and cors_origins given before it
    COACHAI_LOCAL="$WORK" GATEWAY_PORT=$GW_PORT \
        GATEWAY_CORS_ORIGINS="${cors_origins:-$ALLOWED_ORIGIN $GW}" \
        GATEWAY_AUTH_UPSTREAM="127.0.0.1:${PORTS[auth]}" \
        GATEWAY_CREATOR_HUB_UPSTREAM="127.0.0.1:${PORTS[creator-hub]}" \
        GATEWAY_AI_ENGINE_UPSTREAM="127.0.0.1:${PORTS[ai-engine]}" \
        GATEWAY_CHANNEL_UPSTREAM="127.0.0.1:${PORTS[channel]}" \
        scripts/stack/gateway.sh "$1" >/dev/null
}

cleanup() {
    gateway stop 2>/dev/null || true
    for pid in "${UPSTREAM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${UPSTREAM_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*" >&2; failures=$((failures + 1)); }
check() { # label command... : ok when the command succeeds
    local label="$1"
    shift
    if "$@"; then pass "$label"; else fail "$label"; fi
}

# req NAME CURL-ARGS... : response headers in $WORK/NAME.h, body in $WORK/NAME.b; prints the status.
req() {
    local name="$1"
    shift
    curl -sS --max-time 10 -D "$WORK/$name.h" -o "$WORK/$name.b" -w '%{http_code}' "$@"
}
# header NAME FIELD : the value of the first FIELD header of response NAME ("" when absent).
header() { grep -i "^$2:" "$WORK/$1.h" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
header_count() { grep -ci "^$2:" "$WORK/$1.h" || true; }
# json NAME EXPR : evaluates EXPR on the parsed body `d` of response NAME, prints it.
json() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$WORK/$1.b" "$2"
}
is_problem() { # NAME STATUS : a problem+json body with that status and a CoachAI problem type
    [[ "$(header "$1" content-type)" == application/problem+json* ]] \
        && [ "$(json "$1" 'd["status"]')" = "$2" ] && [ -n "$(json "$1" 'd["title"]')" ] \
        && [[ "$(json "$1" 'd["type"]')" == https://coachai.dev/problems/?* ]]
}
wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

for svc in auth creator-hub ai-engine channel; do
    python3 tests/e2e/upstream.py "$svc" "${PORTS[$svc]}" &
    UPSTREAM_PIDS[$svc]=$!
done
for svc in auth creator-hub ai-engine channel; do
    wait_port "${PORTS[$svc]}" || { echo "stand-in $svc did not listen on ${PORTS[$svc]}" >&2; exit 1; }
done
gateway start

echo "routing, request id, security headers"
for svc in auth creator-hub ai-engine channel; do
    status="$(req route -H 'X-Request-Id: e2e-route-0001' "$GW/api/v1/${PREFIXES[$svc]}/health")"
    got="$status $(json route 'd["service"], d["path"]')"
    [ "$got" = "200 ('$svc', '/api/v1/${PREFIXES[$svc]}/health')" ] \
        && pass "/api/v1/${PREFIXES[$svc]}/ reaches $svc" || fail "/api/v1/${PREFIXES[$svc]}/: $got"
done

req rid -H 'X-Request-Id: e2e-trace-12345678' "$GW/api/v1/ai/chat" >/dev/null
got="$(json rid 'd["request_id"]') $(header rid x-request-id) $(header_count rid x-request-id)"
[ "$got" = "e2e-trace-12345678 e2e-trace-12345678 1" ] \
    && pass "a sent X-Request-Id reaches the service and comes back (once)" || fail "sent X-Request-Id: $got"
req rid_new "$GW/api/v1/ai/chat" >/dev/null
sent="$(json rid_new 'd["request_id"]')"
back="$(header rid_new x-request-id)"
[[ "$back" =~ ^[0-9a-f]{32}$ ]] && [ "$sent" = "$back" ] \
    && pass "without X-Request-Id the gateway makes one, gives it to the service and returns it" \
    || fail "generated X-Request-Id: to service '$sent', returned '$back'"
req rid_bad -H 'X-Request-Id: bad id!' "$GW/api/v1/ai/chat" >/dev/null
[[ "$(header rid_bad x-request-id)" =~ ^[0-9a-f]{32}$ ]] \
    && pass "a malformed X-Request-Id is replaced" || fail "malformed X-Request-Id kept: $(header rid_bad x-request-id)"

security_headers() { # NAME : the security headers, once each
    [ "$(header "$1" x-content-type-options)" = nosniff ] && [ "$(header_count "$1" x-content-type-options)" = 1 ] \
        && [ "$(header "$1" x-frame-options)" = DENY ] \
        && [ "$(header "$1" referrer-policy)" = no-referrer ] \
        && [[ "$(header "$1" content-security-policy)" == *"default-src 'none'"*"frame-ancestors 'none'"* ]]
}
check "security headers on a proxied response (the service's duplicate dropped)" security_headers rid
req nowhere "$GW/nowhere" >/dev/null
check "security headers and problem+json on the gateway's own 404" \
    eval 'security_headers nowhere && is_problem nowhere 404'

echo "web pages"
page_headers() { # NAME FRAME-OPTIONS : the service's policy and framing passed on, once each
    [ "$(header "$1" content-security-policy)" = "default-src 'self'; frame-ancestors https://site.test" ] \
        && [ "$(header_count "$1" content-security-policy)" = 1 ] \
        && [ "$(header "$1" x-frame-options)" = "$2" ] \
        && [ "$(header_count "$1" x-frame-options)" = "$([ -n "$2" ] && echo 1 || echo 0)" ] \
        && [ "$(header "$1" x-content-type-options)" = nosniff ] && [ "$(header_count "$1" x-content-type-options)" = 1 ]
}
for path in /chat/demo /chat/demo/invite/tok /chat/widget.js /console/demo; do
    status="$(req page "$GW$path")"
    got="$status $(json page 'd["service"], d["path"]')"
    if [ "$got" = "200 ('channel', '$path')" ] && page_headers page SAMEORIGIN; then
        pass "$path reaches the channel with its own Content-Security-Policy and framing"
    else
        fail "$path: $got csp '$(header page content-security-policy)' xfo '$(header page x-frame-options)'"
    fi
done
status="$(req embed "$GW/chat/demo?embed=1")"
[ "$status" = 200 ] && page_headers embed "" \
    && pass "the embedded chat page gets no X-Frame-Options (its frame-ancestors decides)" \
    || fail "embedded chat page: $status xfo '$(header embed x-frame-options)'"
req chatroot "$GW/chat" >/dev/null
check "/chat without a slug is the gateway's 404 with its strict headers" \
    eval 'security_headers chatroot && is_problem chatroot 404'

req ws -H 'Connection: Upgrade' -H 'Upgrade: websocket' "$GW/api/v1/channels/ws" >/dev/null
got="$(json ws 'd["upgrade"], d["connection"]')"
[ "$got" = "('websocket', 'upgrade')" ] && pass "a WebSocket upgrade on /api/v1/channels/ is passed on" \
    || fail "WebSocket upgrade headers at the service: $got"
req plain "$GW/api/v1/channels/x" >/dev/null
[ "$(json plain 'd["upgrade"], d["connection"]')" = "(None, None)" ] \
    && pass "a plain channel request does not ask the service to upgrade" || fail "plain channel request: $(cat "$WORK/plain.b")"
status="$(req health_post -X POST "$GW/health")"
if [ "$status" = 405 ] && is_problem health_post 405 && [ "$(header health_post allow)" = "GET, HEAD" ] \
    && security_headers health_post; then
    pass "POST /health is 405 problem+json with Allow and the security headers"
else
    fail "POST /health: $status allow '$(header health_post allow)'"
fi

echo "CORS"
status="$(req pre_ok -X OPTIONS -H "Origin: $ALLOWED_ORIGIN" -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type' "$GW/api/v1/ai/chat")"
got="$status|$(header pre_ok access-control-allow-origin)|$(header pre_ok access-control-allow-credentials)"
got="$got|$(header pre_ok access-control-allow-methods)|$(header pre_ok access-control-allow-headers)"
got="$got|$(header pre_ok access-control-max-age)|$(header pre_ok vary)"
want="204|$ALLOWED_ORIGIN|true|GET, POST, PUT, PATCH, DELETE, OPTIONS"
want="$want|Authorization, Content-Type, Accept, X-Request-Id|600|Origin"
[ "$got" = "$want" ] \
    && pass "preflight from an allowed origin: 204 at the gateway, that origin, credentials, methods, headers" \
    || fail "allowed preflight: $got"
status="$(req pre_no -X OPTIONS -H "Origin: $OTHER_ORIGIN" -H 'Access-Control-Request-Method: POST' "$GW/api/v1/ai/chat")"
if [ "$status" = 403 ] && is_problem pre_no 403 && ! grep -qi '^access-control-' "$WORK/pre_no.h"; then
    pass "preflight from a disallowed origin: 403 problem+json, no CORS headers"
else
    fail "disallowed preflight: $status $(grep -i '^access-control-' "$WORK/pre_no.h" | tr -d '\r' | tr '\n' ' ')"
fi
status="$(req get_ok -H "Origin: $ALLOWED_ORIGIN" "$GW/api/v1/creators/x/stats")"
got="$status|$(header get_ok access-control-allow-origin)|$(header_count get_ok access-control-allow-origin)"
got="$got|$(header get_ok access-control-allow-credentials)|$(header get_ok vary)"
got="$got|$(header get_ok access-control-expose-headers)|$(header_count get_ok access-control-allow-methods)"
[ "$got" = "200|$ALLOWED_ORIGIN|1|true|Origin|X-Request-Id, Retry-After|0" ] \
    && pass "GET from an allowed origin: that origin (the service's '*' dropped), credentials, Vary: Origin" \
    || fail "allowed GET: $got"
status="$(req get_no -H "Origin: $OTHER_ORIGIN" "$GW/api/v1/creators/x/stats")"
if [ "$status" = 200 ] && ! grep -qi '^access-control-' "$WORK/get_no.h" && [ "$(header get_no vary)" = Origin ]; then
    pass "GET from a disallowed origin: answered, but without any CORS header"
else
    fail "disallowed GET: $status $(grep -i '^access-control-' "$WORK/get_no.h" | tr -d '\r' | tr '\n' ' ')"
fi
status="$(req pre_err -X OPTIONS -H "Origin: $ALLOWED_ORIGIN" -H 'Access-Control-Request-Method: GET' "$GW/nowhere")"
[ "$status" = 204 ] && pass "preflight is answered by the gateway, never the service" || fail "preflight to /nowhere: $status"

echo "body limits"
head -c $((12 * 1024 * 1024)) /dev/zero >"$WORK/12mib"
head -c $((5 * 1024 * 1024)) /dev/zero >"$WORK/5mib"
head -c $((2 * 1024 * 1024)) /dev/zero >"$WORK/2mib"
status="$(req up_big -X POST -H 'Content-Type: application/octet-stream' \
    --data-binary "@$WORK/12mib" "$GW/api/v1/creators/x/content")"
if [ "$status" = 413 ] && is_problem up_big 413 && [[ "$(json up_big 'd["detail"]')" == *"11 MiB"* ]]; then
    pass "a 12 MiB upload is 413 problem+json naming the 11 MiB upload limit"
else
    fail "12 MiB upload: $status $(cat "$WORK/up_big.b")"
fi
status="$(req up_ok -X POST -H 'Content-Type: application/octet-stream' \
    --data-binary "@$WORK/5mib" "$GW/api/v1/creators/x/content")"
got="$status $(json up_ok 'd["body_bytes"]')"
[ "$got" = "200 $((5 * 1024 * 1024))" ] && pass "a 5 MiB upload reaches the Creator Hub whole" || fail "5 MiB upload: $got"
status="$(req chat_big -X POST -H 'Content-Type: application/json' --data-binary "@$WORK/2mib" "$GW/api/v1/ai/chat")"
if [ "$status" = 413 ] && is_problem chat_big 413 && [[ "$(json chat_big 'd["detail"]')" == *"1 MiB"* ]]; then
    pass "a 2 MiB chat body is 413 problem+json naming the 1 MiB limit"
else
    fail "2 MiB chat body: $status $(cat "$WORK/chat_big.b")"
fi
status="$(req body_big -X PUT -H 'Content-Type: application/json' \
    --data-binary "@$WORK/2mib" "$GW/api/v1/creators/x/content/y/body")"
[ "$status" = 200 ] && pass "a new version's body (PUT .../content/{id}/body) takes an upload's limit too" \
    || fail "2 MiB to content body: $status"
status="$(req chunks_big -X POST -H 'Content-Type: application/json' \
    --data-binary "@$WORK/2mib" "$GW/api/v1/creators/x/content/y/chunks")"
[ "$status" = 413 ] && pass "the upload limit is only for the upload routes (2 MiB to .../content/{id}/chunks is 413)" \
    || fail "2 MiB to content chunks: $status"

echo "a stopped service"
kill "${UPSTREAM_PIDS[channel]}"
wait "${UPSTREAM_PIDS[channel]}" 2>/dev/null || true
unset 'UPSTREAM_PIDS[channel]'
status="$(req down -H 'X-Request-Id: e2e-down-12345678' "$GW/api/v1/channels/x")"
if [ "$status" = 502 ] && is_problem down 502 && [ "$(header down retry-after)" = 5 ] \
    && [ "$(header down x-request-id)" = e2e-down-12345678 ] && ! grep -qi '<html' "$WORK/down.b"; then
    pass "a stopped service is 502 problem+json (no HTML) with Retry-After and the request id"
else
    fail "stopped service: $status $(header down content-type) $(cat "$WORK/down.b")"
fi
status="$(req page_down "$GW/chat/demo")"
[ "$status" = 502 ] && is_problem page_down 502 && security_headers page_down \
    && pass "a page of a stopped channel is 502 problem+json with the gateway's strict headers" \
    || fail "page of a stopped channel: $status csp '$(header page_down content-security-policy)'"

echo "access log"
line="$(grep -F '"request_id":"e2e-trace-12345678"' "$WORK/nginx/logs/access.log" | tail -n1 || true)"
want='{"status": 200, "method": "GET", "path": "/api/v1/ai/chat", "upstream_addr": "127.0.0.1:18483"}'
if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); w=json.loads(sys.argv[2]); assert all(d[k]==v for k,v in w.items())' \
        "$line" "$want" 2>/dev/null \
    && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/nginx/logs/access.log"; then
    pass "every access log line is JSON; a request's line has its id, method, path, status and upstream"
else
    fail "access log: ${line:-no line with request_id e2e-trace-12345678}"
fi

# burst "URL..." CURL-ARGS... : sends 12 requests back to back on one connection, cycling through
# the URLs; prints their statuses and, last, the microseconds the 12 took.
burst() {
    local list started ended
    read -ra list <<<"$1"
    shift
    local urls=()
    for i in $(seq 0 11); do urls+=(-o /dev/null "${list[i % ${#list[@]}]}"); done
    started="$EPOCHREALTIME"
    curl -sS --max-time 10 -w '%{http_code} ' "$@" "${urls[@]}"
    ended="$EPOCHREALTIME"
    echo $((${ended/./} - ${started/./}))
}
# trips RATE BURST STATUS... MICROSECONDS : the burst plus one passed, plus at most what the rate
# (per second) refilled meanwhile; every other request is 429.
trips() {
    local rate="$1" burst="$2" micros="${*: -1}" ok limited refill
    set -- "${@:3:$#-3}"
    ok="$(printf '%s\n' "$@" | grep -cx 200 || true)"
    limited="$(printf '%s\n' "$@" | grep -cx 429 || true)"
    refill=$(((rate * micros + 999999) / 1000000))
    [ "$ok" -ge $((burst + 1)) ] && [ "$ok" -le $((burst + 1 + refill)) ] && [ $((ok + limited)) -eq 12 ]
}

echo "rate limits"
gateway stop
GATEWAY_RATE_PER_CREDENTIAL=1r/s GATEWAY_BURST_PER_CREDENTIAL=3 gateway start
read -ra codes <<<"$(burst "$GW/api/v1/auth/me" -H 'Authorization: Bearer token-a')"
status="$(req cred_limited -H 'Authorization: Bearer token-a' "$GW/api/v1/auth/me")"
trips 1 3 "${codes[@]}" \
    && pass "per credential (1r/s, burst 3): ${codes[*]::12} in ${codes[12]} µs (4 pass, then 429 but for refills)" \
    || fail "per credential burst (statuses, then µs): ${codes[*]}"
if [ "$status" = 429 ] && is_problem cred_limited 429 && [ "$(header cred_limited retry-after)" = 1 ]; then
    pass "a refused request is 429 problem+json with Retry-After: 1"
else
    fail "refused request: $status retry-after '$(header cred_limited retry-after)' $(cat "$WORK/cred_limited.b")"
fi
got="$(req cred_other -H 'Authorization: Bearer token-b' "$GW/api/v1/auth/me") $(req cred_none "$GW/api/v1/auth/me")"
[ "$got" = "200 200" ] && pass "another credential, and no credential, from the same address still pass" \
    || fail "other credential / none: $got"
sleep 2
status="$(req cred_back -H 'Authorization: Bearer token-a' "$GW/api/v1/auth/me")"
[ "$status" = 200 ] && pass "the limited credential passes again after waiting" || fail "credential after 2 s: $status"

gateway stop
GATEWAY_RATE_PER_ADDR=2r/s GATEWAY_BURST_PER_ADDR=4 gateway start
# Two routes, one credential (its own zone allows 20 at once): the address limit holds on both.
read -ra codes <<<"$(burst "$GW/api/v1/creators/x/stats $GW/api/v1/ai/chat" \
    -H 'Authorization: Bearer token-c')"
status="$(req addr_limited "$GW/api/v1/ai/chat")"
trips 2 4 "${codes[@]}" \
    && pass "per address (2r/s, burst 4), alternating two routes with a credential: ${codes[*]::12} in ${codes[12]} µs (5 pass, then 429 but for refills)" \
    || fail "per address burst (statuses, then µs): ${codes[*]}"
[ "$status" = 429 ] && is_problem addr_limited 429 && [ "$(header addr_limited retry-after)" = 1 ] \
    && pass "the address limit's refusal (without a credential) is 429 problem+json with Retry-After: 1" \
    || fail "address limit refusal: $status retry-after '$(header addr_limited retry-after)'"
sleep 2
status="$(req addr_back "$GW/api/v1/creators/x/stats")"
[ "$status" = 200 ] && pass "the address passes again after waiting" || fail "address after 2 s: $status"

gateway stop
if GATEWAY_RATE_PER_ADDR=fast gateway start 2>/dev/null \
    || cors_origins='http://ok.test "x' gateway start 2>/dev/null; then
    fail "a malformed rate or CORS origin was accepted"
else
    pass "a malformed rate or CORS origin is refused before nginx starts"
fi

[ "$failures" -eq 0 ] || { echo "e2e gateway: $failures check(s) failed" >&2; exit 1; }
echo "e2e         ok     gateway routing, limits, CORS, errors, request ids"
