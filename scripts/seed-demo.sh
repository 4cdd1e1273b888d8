#!/usr/bin/env bash
# Seeds the demo creator `demo` through the public API (the gateway), as a coach would: signs it
# up (an existing demo is logged into instead), points it at the models the local Ollama serves
# (SmolLM2 for answers, MiniLM for embeddings), uploads the sample material of scripts/demo/ that
# its library lacks (markdown guides with headings, a coaching-call transcript with timestamps, and
# a PDF made from nutrition-guide.txt), invites a demo client who accepts, then waits until every
# item is `ready` (embedded) and prints the logins. Safe to run again: it reuses what exists.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
api="http://127.0.0.1:${GATEWAY_PORT}/api/v1"
demo="$COACHAI_ROOT/scripts/demo"
owner_email=demo@coachai.dev
owner_password="demo-coach-password-2026"
client_email=client@coachai.dev
client_password="demo-client-password-2026"
chat_model="${DEMO_CHAT_MODEL:-smollm2:135m}"
embedding_model="${DEMO_EMBEDDING_MODEL:-all-minilm:l6-v2}"
ready_timeout="${DEMO_READY_TIMEOUT_SECS:-300}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
reply="$work/reply.json"

say() { printf 'demo        %s\n' "$*"; }
die() { printf 'demo        %s\n' "$*" >&2; exit 1; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['$1'])" "$reply"; }
post_json() { # path body [curl args...] -> HTTP status, body in $reply
    local path="$1" body="$2"
    shift 2
    curl -sS -o "$reply" -w '%{http_code}' -X POST -H 'content-type: application/json' \
        "$@" -d "$body" "$api/$path" || echo 000
}
login() { # email password -> HTTP status
    post_json auth/login "{\"creator\":\"demo\",\"email\":\"$1\",\"password\":\"$2\"}"
}

# The owner: sign up, or log in when the demo exists.
code="$(post_json auth/signup "{\"email\":\"$owner_email\",\"password\":\"$owner_password\",\"creator_name\":\"Demo Coach\",\"slug\":\"demo\"}")"
case "$code" in
    201) say "signed up the creator 'demo'" ;;
    409)
        code="$(login "$owner_email" "$owner_password")"
        [ "$code" = 200 ] || die "the creator 'demo' exists but its owner's login answered HTTP $code"
        say "the creator 'demo' exists; reusing it"
        ;;
    *) die "sign-up answered HTTP $code: $(cat "$reply" 2>/dev/null)" ;;
esac
token="$(field access_token)"
creator="$(field creator_id)"
auth=(-H "Authorization: Bearer $token")

code="$(curl -sS -o "$reply" -w '%{http_code}' "${auth[@]}" -X PATCH -H 'content-type: application/json' \
    -d "{\"chat_model\":\"$chat_model\",\"embedding_model\":\"$embedding_model\"}" \
    "$api/creators/$creator" || echo 000)"
[ "$code" = 200 ] || die "setting the models answered HTTP $code: $(cat "$reply")"

# The library: upload each sample whose title is not in it yet.
curl -sf -o "$reply" "${auth[@]}" "$api/creators/$creator/content?limit=100" \
    || die "listing the library failed"
python3 -c "import json,sys; [print(i['title']) for i in json.load(open(sys.argv[1]))['items']]" \
    "$reply" >"$work/titles"
python3 "$demo/pdf.py" "$demo/nutrition-guide.txt" "$work/nutrition-guide.pdf"
upload() { # file content-type title
    grep -qxF "$3" "$work/titles" && return 0
    curl -sf -o /dev/null "${auth[@]}" -F "file=@$1;type=$2" -F "tags=demo" -F "title=$3" \
        "$api/creators/$creator/content" || die "uploading $1 failed"
    say "uploaded '$3'"
}
for file in "$demo"/*.md; do
    upload "$file" text/markdown "$(sed -n 's/^# //p' "$file" | head -n 1)"
done
upload "$demo/coaching-call.vtt" text/vtt "Coaching call, week two"
upload "$work/nutrition-guide.pdf" application/pdf "Eating for strength"

# The client: log in, or be invited by the owner and accept.
if [ "$(login "$client_email" "$client_password")" != 200 ]; then
    code="$(post_json auth/invitations "{\"email\":\"$client_email\",\"role\":\"client\"}" "${auth[@]}")"
    [ "$code" = 201 ] || die "inviting the demo client answered HTTP $code: $(cat "$reply")"
    invitation="$(field token)"
    code="$(post_json auth/invitations/accept "{\"token\":\"$invitation\",\"password\":\"$client_password\",\"display_name\":\"Demo Client\"}")"
    [ "$code" = 201 ] || die "accepting the demo client's invitation answered HTTP $code: $(cat "$reply")"
    say "invited the client $client_email, who accepted"
fi

# Wait until the AI Engine's worker has embedded everything.
started=$SECONDS
while :; do
    curl -sf -o "$reply" "${auth[@]}" "$api/creators/$creator/content?limit=100" \
        || die "listing the library failed"
    state="$(python3 - "$reply" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
failed = [f"{i['title']}: {i.get('status_reason')}" for i in items if i["status"] == "failed"]
ready = sum(i["status"] == "ready" for i in items)
print("failed " + "; ".join(failed) if failed else f"{ready} {len(items)}")
PY
)"
    case "$state" in
        failed*) die "embedding failed (${state#failed })" ;;
    esac
    read -r ready total <<<"$state"
    printf '\rdemo        embedding the library: %s of %s items ready (%ss)' "$ready" "$total" "$((SECONDS - started))"
    [ "$ready" = "$total" ] && break
    [ $((SECONDS - started)) -lt "$ready_timeout" ] \
        || { echo; die "not every item was ready after ${ready_timeout}s (DEMO_READY_TIMEOUT_SECS)"; }
    sleep 1
done
echo
say "ready: $total items, answers with $chat_model, embeds with $embedding_model"
say "owner:  $owner_email / $owner_password"
say "client: $client_email / $client_password"
