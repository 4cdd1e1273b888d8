#!/usr/bin/env bash
# Installs Swagger UI (the npm package swagger-ui-dist, pinned by SWAGGER_UI_VERSION in
# scripts/env.sh) once per machine into $COACHAI_CACHE/npm, outside the clone. The gateway serves
# it at /api/docs/ with the page of gateway/api-docs/, which lists the four services' OpenAPI
# documents. Called by scripts/tools.sh (make test) and scripts/up.sh (make up).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

if [ -f "$SWAGGER_UI_DIR/swagger-ui-bundle.js" ]; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "api-docs: installing npm (to fetch swagger-ui-dist)" >&2; apt_install npm >/dev/null; }
prefix="${SWAGGER_UI_DIR%/node_modules/swagger-ui-dist}"
echo "api-docs: installing swagger-ui-dist $SWAGGER_UI_VERSION into $prefix (once per machine)" >&2
npm install --silent --no-audit --no-fund --no-save --prefix "$prefix" \
    "swagger-ui-dist@$SWAGGER_UI_VERSION" >&2
[ -f "$SWAGGER_UI_DIR/swagger-ui-bundle.js" ] \
    || { echo "api-docs: npm did not install $SWAGGER_UI_DIR/swagger-ui-bundle.js" >&2; exit 1; }
