#!/usr/bin/env bash
# Quality gates: formatting, clippy (warnings are errors; cognitive complexity <= 10 via
# clippy.toml), and cargo-deny for licences, bans and sources. Advisories need GitHub, which
# this machine cannot reach; run `cargo deny check advisories` where it can.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$COACHAI_ROOT"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo deny --log-level error check licenses bans sources
echo "lint        ok     rustfmt, clippy, cargo-deny"
