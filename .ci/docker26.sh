#!/usr/bin/env bash
# Makes a second Docker Engine, trixie's docker.io 26.1 (BuildKit 0.13), run beside bookworm's 20.10 for the
# conformance tests: downloads its .debs with a private apt configuration (the system's apt state is not
# touched), unpacks them into /opt/docker26 (no maintainer scripts run), gives it a bridge, data root, exec
# root and socket of its own, and starts it unless it already answers. Idempotent. Needs root.
#
# Afterwards: DOCKER_HOST=unix:///var/run/docker26.sock DOCKER_CONFIG=/opt/docker26/config \
#   /opt/docker26/usr/bin/docker build ...   (BuildKit by default; DOCKER_BUILDKIT=0 selects the legacy builder)
set -euo pipefail

ROOT=/opt/docker26
SUITE=trixie
SOCK=/var/run/docker26.sock
BRIDGE=docker26
BRIDGE_ADDR=172.31.250.1/24
CLI="$ROOT/usr/bin/docker"
export DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$ROOT/config"

log() { printf 'docker26.sh: %s\n' "$*"; }

# Debian's mirror as this machine's apt configuration names it, so no host name is written here.
mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- '-security' | head -n 1 || true)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { log "found no Debian mirror in /etc/apt" >&2; exit 1; }
  printf '%s\n' "$uri"
}

install_engine() {
  local work lists
  work=$(mktemp -d /tmp/docker26-apt.XXXXXX)
  lists="$work/lists"
  mkdir -p "$lists/partial" "$work/cache/archives/partial" "$work/debs"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$(mirror)" "$SUITE" > "$work/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$lists"
    -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
  log "fetching the $SUITE package index"
  apt-get "${opts[@]}" update
  log "downloading docker.io docker-cli containerd docker-buildx from $SUITE"
  (cd "$work/debs" && apt-get "${opts[@]}" download docker.io docker-cli containerd docker-buildx)
  rm -rf "$ROOT.new" && mkdir -p "$ROOT.new"
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT.new"; done
  mkdir -p "$ROOT.new/config/cli-plugins"
  ln -sf "$ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$ROOT.new/config/cli-plugins/docker-buildx"
  rm -rf "$ROOT" && mv "$ROOT.new" "$ROOT"
  rm -rf "$work"
  log "unpacked $("$CLI" --version) into $ROOT"
}

if [ -x "$ROOT/usr/sbin/dockerd" ] && [ -x "$CLI" ] && [ -e "$ROOT/config/cli-plugins/docker-buildx" ]; then
  log "$("$CLI" --version): already in $ROOT"
else
  install_engine
fi

if "$CLI" info >/dev/null 2>&1; then
  log "the Docker 26 daemon is already running on $SOCK"
  exit 0
fi

if ! command -v ip >/dev/null 2>&1; then
  log "installing iproute2 (the bridge needs ip)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2
fi
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_ADDR" dev "$BRIDGE"
fi
ip link set "$BRIDGE" up

logfile="$(mktemp /tmp/dockerd26.XXXXXX.log)"
log "starting dockerd 26 (log: $logfile)"
# Its own containerd starts from $ROOT/usr/bin; runc and tini come from bookworm's docker.io (trixie's need a newer libc).
PATH="$ROOT/usr/bin:$ROOT/usr/sbin:$PATH" setsid "$ROOT/usr/sbin/dockerd" --data-root /var/lib/docker26 --exec-root /var/run/docker26 \
  -H "unix://$SOCK" --pidfile /var/run/docker26.pid --bridge "$BRIDGE" >"$logfile" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if "$CLI" info >/dev/null 2>&1; then
    log "the Docker 26 daemon is up: $("$CLI" version --format '{{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
log "dockerd 26 did not answer within 60 s; last lines of $logfile:" >&2
tail -n 30 "$logfile" >&2
exit 1
