#!/usr/bin/env bash
# Seeds the demo creator through the public API: signs it up (an existing demo is left as is),
# points it at the models the local Ollama serves (SmolLM2 for answers, MiniLM for embeddings),
# and uploads the sample material of scripts/demo/ when its library is empty. The AI Engine's
# worker then embeds it, so the demo answers from it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
api="http://127.0.0.1:${GATEWAY_PORT}/api/v1"
email=demo@coachai.dev
password=demo-coach-password-2026
chat_model="${DEMO_CHAT_MODEL:-smollm2:135m}"
embedding_model="${DEMO_EMBEDDING_MODEL:-all-minilm:l6-v2}"
reply="$(mktemp)"
trap 'rm -f "$reply"' EXIT

field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['$1'])" "$reply"; }

body="{\"email\":\"$email\",\"password\":\"$password\",\"creator_name\":\"Demo Coach\",\"slug\":\"demo\"}"
code="$(curl -sS -o "$reply" -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d "$body" "$api/auth/signup" || true)"
case "$code" in
    201) echo "demo        seeded creator 'demo' ($email / $password)" ;;
    409)
        echo "demo        creator 'demo' already exists ($email / $password)"
        code="$(curl -sS -o "$reply" -w '%{http_code}' -X POST -H 'content-type: application/json' \
            -d "{\"creator\":\"demo\",\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/login" || true)"
        [ "$code" = 200 ] || { echo "demo        login answered HTTP $code" >&2; exit 1; }
        ;;
    *) echo "demo        sign-up answered HTTP $code; no demo creator seeded" >&2; exit 1 ;;
esac
token="$(field access_token)"
creator="$(field creator_id)"
auth=(-H "Authorization: Bearer $token")

curl -sf -o /dev/null "${auth[@]}" -X PATCH -H 'content-type: application/json' \
    -d "{\"chat_model\":\"$chat_model\",\"embedding_model\":\"$embedding_model\"}" \
    "$api/creators/$creator" || { echo "demo        setting the models failed" >&2; exit 1; }

curl -sf -o "$reply" "${auth[@]}" "$api/creators/$creator/content?limit=1"
if [ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['items']))" "$reply")" = 0 ]; then
    for file in "$COACHAI_ROOT"/scripts/demo/*.md; do
        title="$(sed -n 's/^# //p' "$file" | head -n 1)"
        curl -sf -o /dev/null "${auth[@]}" -F "file=@$file;type=text/markdown" -F "tags=demo" \
            -F "title=$title" \
            "$api/creators/$creator/content" || { echo "demo        uploading $file failed" >&2; exit 1; }
    done
    echo "demo        uploaded the sample material (scripts/demo/); the AI Engine embeds it now"
fi
echo "demo        answers with $chat_model, embeds with $embedding_model"
