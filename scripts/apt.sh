# shellcheck shell=bash
# Debian package helpers shared by scripts/ (tools.sh, stack/up.sh, the benches). Sourced, never
# executed; needs COACHAI_ROOT (scripts/env.sh sets it).

# apt_install PACKAGE...: installs the packages, refreshing the package lists first, because a
# fresh machine has none and `apt-get install` then finds nothing. Output goes to stderr; the
# exit status is apt-get's.
apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        printf 'apt: installing %s needs root; run as root or install it by hand\n' "$*" >&2
        return 1
    fi
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                -o Dpkg::Use-Pty=0 "$@"
    } >&2
}

# Crates whose build scripts run protoc: the `chroma` client (its `chroma-types` compiles the
# server's protobuf definitions with tonic-build), and prost-build/tonic-build for any other.
PROTOC_CRATES='chroma|chroma-types|prost-build|tonic-build|tonic-prost-build'

# lock_needs_protoc: true when Cargo.lock holds a crate that runs protoc while building.
lock_needs_protoc() {
    grep -Eq "^name = \"($PROTOC_CRATES)\"\$" "$COACHAI_ROOT/Cargo.lock"
}

# The Debian packages protoc builds need: the compiler, and libprotobuf-dev for the well-known
# types (`google/protobuf/timestamp.proto`, imported by chroma-types), which protobuf-compiler
# only recommends and so misses under --no-install-recommends.
# shellcheck disable=SC2034 # read by tools.sh and stack/up.sh
PROTOC_PACKAGES='protobuf-compiler libprotobuf-dev'

# protoc_ready: true when protoc and its well-known type definitions are installed.
protoc_ready() {
    command -v protoc >/dev/null 2>&1 && [ -f /usr/include/google/protobuf/timestamp.proto ]
}

# The browser suite (tests/browser) drives Debian's Chromium through its chromedriver.
# shellcheck disable=SC2034 # read by tools.sh
BROWSER_PACKAGES='chromium chromium-driver'

# browser_ready: true when Chromium and chromedriver are installed.
browser_ready() {
    command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1
}
