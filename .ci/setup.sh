#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine (root; only Debian's packages and the npm
# registry are reachable): Docker Engines 20.10 and 26.1 and a Docker registry for the conformance tests, code-server and Chromium for the
# real-editor tests, then the project's npm dependencies. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/docker.sh
bash .ci/docker26.sh
bash .ci/registry.sh
bash .ci/e2e-setup.sh
npm ci --no-fund --no-audit
