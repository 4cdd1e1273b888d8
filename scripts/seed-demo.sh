#!/usr/bin/env bash
# Seeds the demo creator through the public sign-up endpoint; an existing demo is left as is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
body='{"email":"demo@coachai.dev","password":"demo-coach-password-2026","creator_name":"Demo Coach","slug":"demo"}'
code="$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d "$body" "http://127.0.0.1:${GATEWAY_PORT}/api/v1/auth/signup" || true)"
case "$code" in
    201) echo "demo        seeded creator 'demo' (demo@coachai.dev / demo-coach-password-2026)" ;;
    409) echo "demo        creator 'demo' already exists (demo@coachai.dev / demo-coach-password-2026)" ;;
    *) echo "demo        sign-up answered HTTP $code; no demo creator seeded" >&2; exit 1 ;;
esac
