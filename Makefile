# The two set-up commands are `make up` and `make test`; everything else is a building block.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help up test lint stack stack-down migrate build release tools coverage cluster-test crds operator helm-lint openapi

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

up: ## install what is missing, start the platform on :8080, Ctrl-C stops it all
	@scripts/up.sh

test: ## install what is missing and run every test (lint, unit, integration, cluster)
	@scripts/test.sh

lint: ## rustfmt, clippy -D warnings, cargo-deny
	@scripts/tools.sh && scripts/lint.sh

stack: ## start PostgreSQL, Redis, ChromaDB and Ollama only (builds Ollama once per machine)
	@scripts/stack/up.sh

stack-down: ## stop what this clone started
	@scripts/stack/down.sh

migrate: stack ## apply the database migrations
	@source scripts/env.sh && cargo run --quiet --bin coachai-migrate

build: ## build the binaries (each service's, coachai-migrate, coachai-operator, coachai)
	@source scripts/env.sh && cargo build --workspace --bins

release: ## build `coachai` in release, the Dockerfile's build command
	@source scripts/env.sh && cargo build --release --locked -p coachai-cli

operator: ## run the operator against $$KUBECONFIG and the local stack (make up's dependencies)
	@source scripts/env.sh && DATABASE_URL="$$PROVISIONER_DATABASE_URL" cargo run --quiet -p coachai-operator -- run

crds: ## write crds/*.yaml from the operator's Rust types, their copies in the Helm chart and docs/03-api-specifications/crds.md
	@source scripts/env.sh && cargo run --quiet -p coachai-operator -- crds crds
	@source scripts/env.sh && cargo run --quiet -p coachai-operator -- crd-reference docs/03-api-specifications/crds.md
	@rm -f helm/coachai/crds/*.yaml && cp crds/*.yaml helm/coachai/crds/

openapi: ## write docs/03-api-specifications/openapi/*.json from the running services (tests/e2e/platform.sh checks them)
	@scripts/stack/up.sh && source scripts/env.sh && cargo run --quiet --bin coachai-migrate && UPDATE_OPENAPI=1 tests/e2e/platform.sh

helm-lint: ## helm lint --strict helm/coachai (helm built by the cluster harness; the full chart tests are in cluster-test)
	@tests/cluster/build.sh required >&2 && source tests/cluster/versions.sh && "$$K8S_BIN/helm" lint --strict helm/coachai

cluster-test: ## only the cluster suites (builds etcd/kube-apiserver once)
	@tests/cluster/test.sh -p coachai-operator
