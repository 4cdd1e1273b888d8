#!/usr/bin/env bash
# Builds, once per machine, the Ollama server ($OLLAMA_VERSION, CPU backend) from its Go module
# with cgo into $OLLAMA_BIN, outside the repository. A stamp file next to the binary records the
# pin, so a second run does nothing and a changed pin rebuilds. A failed build exits non-zero with
# the tail of its log. Takes about 8 minutes on a 2-core machine (a warm Go build cache: about 1);
# prints the binary's path on stdout. The version is stamped in as the release build does, so
# `ollama --version` and GET /api/version report it.
#
# Needs Go, a C/C++ compiler, and the Debian packages in $OLLAMA_BUILD_PACKAGES (scripts/stack/up.sh
# installs them); fetches the Go modules from the module proxy and miniaudio's sdist from PyPI.
set -euo pipefail
# shellcheck source=SCRIPTDIR/versions.sh
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"

stamp="$OLLAMA_BIN_DIR/.pin"
if ollama_built; then
    printf '%s\n' "$OLLAMA_BIN"
    exit 0
fi

command -v go >/dev/null || ollama_die "go is not installed; Ollama is built from source with Go"
{ command -v gcc && command -v g++; } >/dev/null ||
    ollama_die "gcc/g++ are not installed; Ollama's llama.cpp backend is built with cgo"
for header in /usr/include/nlohmann/json.hpp /usr/include/stb/stb_image.h; do
    [ -f "$header" ] || ollama_die "$header is missing; install the Debian packages $OLLAMA_BUILD_PACKAGES"
done
mkdir -p "$OLLAMA_BIN_DIR" "$OLLAMA_DOWNLOADS" "$OLLAMA_HOME/logs"

# Two callers on a cold machine (two clones, or up.sh twice): one builds, the other waits for it.
exec 7>"$OLLAMA_HOME/build.lock"
if ! flock -n 7; then
    ollama_log "waiting for another build of Ollama ($OLLAMA_HOME/build.lock)"
    flock 7
fi
if ollama_built; then
    printf '%s\n' "$OLLAMA_BIN"
    exit 0
fi

logf="$OLLAMA_HOME/logs/build-$OLLAMA_VERSION.log"
fail() {
    tail -n 40 "$logf" >&2
    ollama_die "$1 (log: $logf)"
}

# miniaudio.h, from the sdist (pip stores it in the cache; a second run reuses the file).
vendor="$OLLAMA_HOME/vendor/${OLLAMA_MINIAUDIO_PYPI//=/-}"
if [ ! -f "$vendor/miniaudio/miniaudio.h" ]; then
    ollama_log "fetching miniaudio.h from the sdist of $OLLAMA_MINIAUDIO_PYPI"
    pip_python="$(ollama_pip_python)"
    {
        "$pip_python" -m pip download -q --disable-pip-version-check --no-binary :all: --no-deps \
            "$OLLAMA_MINIAUDIO_PYPI" -d "$OLLAMA_DOWNLOADS"
    } >"$logf" 2>&1 || fail "pip download $OLLAMA_MINIAUDIO_PYPI failed (is PyPI reachable?)"
    sdist="$OLLAMA_DOWNLOADS/${OLLAMA_MINIAUDIO_PYPI//==/-}.tar.gz"
    member="$(tar -tzf "$sdist" | grep '/miniaudio/miniaudio\.h$' || true)"
    [ -n "$member" ] || ollama_die "$sdist holds no miniaudio/miniaudio.h"
    mkdir -p "$vendor/miniaudio"
    tar -xzOf "$sdist" "$member" >"$vendor/miniaudio/miniaudio.h.tmp"
    mv "$vendor/miniaudio/miniaudio.h.tmp" "$vendor/miniaudio/miniaudio.h"
fi

export GOMODCACHE="${GOMODCACHE:-$COACHAI_CACHE/go/mod}"
export GOCACHE="${GOCACHE:-$COACHAI_CACHE/go/build}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="-trimpath -buildvcs=false"
export CGO_ENABLED=1
export CGO_CPPFLAGS="-I$vendor"
export CGO_CFLAGS="$OLLAMA_CGO_CFLAGS" CGO_CXXFLAGS="$OLLAMA_CGO_CFLAGS"
tmpbin="$OLLAMA_BIN_DIR/.gobin"
rm -rf "$tmpbin"
ollama_log "building ollama $OLLAMA_VERSION from source (about 8 minutes on 2 cores; log: $logf) ..."
started=$SECONDS
{
    printf '== %s go install github.com/ollama/ollama@%s (CGO_CPPFLAGS=%s CGO_CFLAGS=%s)\n' \
        "$(date -Is)" "$OLLAMA_VERSION" "$CGO_CPPFLAGS" "$CGO_CFLAGS"
    GOBIN="$tmpbin" nice -n 10 go install \
        -ldflags="-s -w -X github.com/ollama/ollama/version.Version=${OLLAMA_VERSION#v}" \
        "github.com/ollama/ollama@$OLLAMA_VERSION"
} >>"$logf" 2>&1 || fail "building ollama $OLLAMA_VERSION failed"
[ -x "$tmpbin/ollama" ] || fail "go install finished without producing $tmpbin/ollama"
mv "$tmpbin/ollama" "$OLLAMA_BIN"
rm -rf "$tmpbin"
"$OLLAMA_BIN" --version >>"$logf" 2>&1 || fail "the built $OLLAMA_BIN does not run"
printf '%s\n' "$OLLAMA_BUILD_PIN" >"$stamp"
printf '== %s built in %ss\n' "$(date -Is)" "$((SECONDS - started))" >>"$logf"
ollama_log "built ollama $OLLAMA_VERSION in $((SECONDS - started))s: $OLLAMA_BIN"
printf '%s\n' "$OLLAMA_BIN"
