#!/usr/bin/env bash
# Installs the build and quality tools `make test` needs, once per machine: the Rust components
# of rust-toolchain.toml, cargo-llvm-cov and cargo-deny (from crates.io, into ~/.cargo/bin), and
# protoc (Debian's protobuf-compiler) once Cargo.lock holds a crate whose build runs it.
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
echo "tools       ready  $ready"
