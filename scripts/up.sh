#!/usr/bin/env bash
# `make up`: installs what is missing, starts PostgreSQL, Redis, ChromaDB, migrates, builds and
# starts the four services and the gateway on :8080, seeds a demo creator, and prints where to
# go. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$COACHAI_ROOT"

declare -A PORTS=([auth]=8001 [creator-hub]=8002 [ai-engine]=8003 [channel]=8004)
declare -A PREFIXES=([auth]=auth [creator-hub]=creators [ai-engine]=ai [channel]=channels)
PIDS=()

stop_all() {
    trap - INT TERM EXIT
    echo
    echo "stopping..."
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/stack/gateway.sh stop || true
    scripts/stack/down.sh || true
}
trap stop_all INT TERM EXIT

scripts/stack/up.sh
scripts/api-docs.sh
echo "building the services (the first build takes several minutes; cargo shows its progress)..."
cargo build --workspace --bins
cargo run --quiet --bin coachai-migrate

mkdir -p "$COACHAI_LOCAL/log"
export LOG_FORMAT="${LOG_FORMAT:-json}"
for svc in auth creator-hub ai-engine channel; do
    PORT="${PORTS[$svc]}" AI_ENGINE_URL="http://127.0.0.1:${PORTS[ai-engine]}" \
        "$CARGO_TARGET_DIR/debug/coachai-$svc" >>"$COACHAI_LOCAL/log/$svc.log" 2>&1 &
    PIDS+=("$!")
done

for svc in auth creator-hub ai-engine channel; do
    url="http://127.0.0.1:${PORTS[$svc]}/api/v1/${PREFIXES[$svc]}/health"
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && break
        sleep 0.1
    done
    status="$(curl -sS "$url" 2>/dev/null | sed -n 's/^{"status":"\([a-z]*\)".*/\1/p' || true)"
    [ -n "$status" ] || { echo "$svc did not start; see $COACHAI_LOCAL/log/$svc.log" >&2; tail -n 5 "$COACHAI_LOCAL/log/$svc.log" >&2; exit 1; }
    printf '%-12s %-6s 127.0.0.1:%s (%s)\n' "$svc" ready "${PORTS[$svc]}" "$status"
done
scripts/stack/gateway.sh start
seeded=yes
scripts/seed-demo.sh || seeded=no

if [ "$seeded" = yes ]; then
    ready_line="The demo creator is ready ${SECONDS}s after \`make up\` started."
else
    ready_line="The demo creator is NOT ready (see the lines above); the platform runs without it."
fi
cat <<MSG

CoachAI is running behind the gateway at http://127.0.0.1:${GATEWAY_PORT}
$ready_line
  chat:     http://127.0.0.1:${GATEWAY_PORT}/chat/demo
            client: client@coachai.dev / demo-client-password-2026
  console:  http://127.0.0.1:${GATEWAY_PORT}/console/demo
            owner:  demo@coachai.dev / demo-coach-password-2026
  API docs: http://127.0.0.1:${GATEWAY_PORT}/api/docs/
  health:   curl http://127.0.0.1:${GATEWAY_PORT}/api/v1/auth/health   (also creators, ai, channels)
  logs:     $COACHAI_LOCAL/log/
Press Ctrl-C to stop everything.
MSG
wait
