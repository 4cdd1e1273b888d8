#!/usr/bin/env bash
# Shows that the two models at $OLLAMA_URL really work, with figures: cosine similarities of
# all-MiniLM-L6-v2 embeddings (a kettlebell question against a matching and an unrelated
# sentence) and one streamed SmolLM2 chat answer (time to first token, tokens per second as
# Ollama reports them). Exits non-zero when a model is missing, an embedding does not have 384
# dimensions, the related pair is not clearly closer than the unrelated one, or the chat streams
# no tokens. usage: probe.sh
set -euo pipefail
# shellcheck source=SCRIPTDIR/versions.sh
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
# shellcheck source=SCRIPTDIR/../env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

exec "${COACHAI_PYTHON:-python3}" - "$OLLAMA_URL" "$OLLAMA_EMBED_MODEL" "$OLLAMA_CHAT_MODEL" <<'PY'
import json, math, sys, time, urllib.request

url, embed_model, chat_model = sys.argv[1:4]

def post(path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    return urllib.request.urlopen(req, timeout=300)

def fail(msg):
    print("probe: FAILED: " + msg, file=sys.stderr)
    sys.exit(1)

question = "How do I breathe during a kettlebell swing?"
related = "Exhale at the top of every swing"
unrelated = "Adults need seven to nine hours of sleep every night"
t0 = time.monotonic()
vecs = json.load(post("/api/embed", {"model": embed_model, "input": [question, related, unrelated]}))["embeddings"]
embed_ms = (time.monotonic() - t0) * 1000
if any(len(v) != 384 for v in vecs):
    fail(f"{embed_model} returned {[len(v) for v in vecs]} dimensions, expected 384")

def cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))

c_rel, c_unrel = cos(vecs[0], vecs[1]), cos(vecs[0], vecs[2])
print(f"embed  {embed_model}: 384 dims, 3 inputs in {embed_ms:.0f} ms")
print(f"       cosine(question, related)   = {c_rel:.3f}   ({related!r})")
print(f"       cosine(question, unrelated) = {c_unrel:.3f}   ({unrelated!r})")
if not c_rel > c_unrel + 0.3:
    fail("the related sentence is not clearly closer than the unrelated one")

t0 = time.monotonic()
first = None
text = []
final = {}
with post("/api/chat", {"model": chat_model, "stream": True, "options": {"num_predict": 64, "temperature": 0},
                        "messages": [{"role": "user", "content": question}]}) as resp:
    for line in resp:
        chunk = json.loads(line)
        piece = chunk.get("message", {}).get("content", "")
        if piece and first is None:
            first = time.monotonic() - t0
        text.append(piece)
        if chunk.get("done"):
            final = chunk
total = time.monotonic() - t0
if first is None or not final.get("eval_count"):
    fail(f"{chat_model} streamed no tokens")
tps = final["eval_count"] / (final["eval_duration"] / 1e9)
print(f"chat   {chat_model}: first token after {first * 1000:.0f} ms (load {final.get('load_duration', 0) / 1e6:.0f} ms), "
      f"{final['eval_count']} tokens at {tps:.1f} tokens/s, {total:.1f} s in all")
print("       answer: " + "".join(text).strip().replace("\n", " ")[:300])
PY
