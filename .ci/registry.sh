#!/usr/bin/env bash
# Installs Debian's docker-registry (distribution 2.8) for the FROM-size tests (test/conformance/registry.test.ts),
# which start `docker-registry serve CONFIG` themselves on 127.0.0.1 with a config and storage of their own.
# The package's own service (port 5000, /var/lib/docker-registry) is not needed, so it is stopped and disabled.
# Idempotent. Needs root.
set -euo pipefail

if ! command -v docker-registry >/dev/null 2>&1; then
  echo "registry.sh: installing docker-registry"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry
fi

# Only when systemd runs this machine; elsewhere nothing started the package's service.
if [ -d /run/systemd/system ]; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
echo "registry.sh: $(docker-registry --version)"
