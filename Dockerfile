# The CoachAI image: one binary, `coachai` (bin/coachai), whose subcommands run a service
# (`coachai serve channel`), the migrations (`coachai migrate`, embedded at compile time, so the
# image carries no migrations/), the operator (`coachai operator`) and its CRDs (`coachai crds`).
#
#   docker build -t coachai .
#
# The build command is the one `make release` runs on a developer's machine:
# `cargo build --release --locked -p coachai-cli`. `scripts/lint.sh` checks this file with
# hadolint and that RUST_VERSION is the channel of rust-toolchain.toml.

ARG RUST_VERSION=1.95.0

# The toolchain, protoc (chroma-types' build script compiles ChromaDB's protobuf definitions;
# libprotobuf-dev holds the well-known types, as in scripts/apt.sh) and cargo-chef, which turns
# the workspace's manifests into a recipe so the dependencies build in a layer of their own.
# Bookworm, like the runtime (distroless cc-debian12): the binary links against the builder's
# glibc and must not need a newer one than the runtime has.
FROM rust:${RUST_VERSION}-slim-bookworm AS chef
# The packages come from the image's Debian release, whose versions are the pin.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends protobuf-compiler libprotobuf-dev \
    && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

# The recipe: Cargo.toml files and Cargo.lock only; it changes when a dependency does.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# Dependencies first (cached until the recipe changes), then the workspace's own crates.
FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --locked -p coachai-cli --recipe-path recipe.json
COPY . .
RUN cargo build --release --locked -p coachai-cli

# Runtime: glibc and the CA certificates, no shell, no package manager. The user is the image's
# `nonroot` by number: Kubernetes' runAsNonRoot can only verify a numeric user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /src/target/release/coachai /coachai
USER 65532:65532
ENTRYPOINT ["/coachai"]
CMD ["--help"]
