#!/usr/bin/env bash
# Makes a Docker Engine available for the conformance tests (test/conformance): installs Debian's
# docker.io, debootstrap and busybox-static when missing, then starts dockerd unless a daemon answers.
# Idempotent: safe to run again on a machine where all of this is already done. Needs root.
set -euo pipefail

# The 20.10 client from Debian has the BuildKit front end; a newer client earlier on PATH may lack buildx.
DOCKER="${DOCKER_CLI:-/usr/bin/docker}"

missing=()
[ -x /usr/bin/docker ] && command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "docker.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap busybox-static
fi

if "$DOCKER" info >/dev/null 2>&1; then
  echo "docker.sh: the Docker daemon is already running"
  exit 0
fi

log="$(mktemp /tmp/dockerd.XXXXXX.log)"
echo "docker.sh: starting dockerd (log: $log)"
# setsid detaches dockerd from this shell so it outlives the script and its process group.
setsid dockerd >"$log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if "$DOCKER" info >/dev/null 2>&1; then
    echo "docker.sh: the Docker daemon is up"
    exit 0
  fi
  sleep 1
done
echo "docker.sh: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 30 "$log" >&2
exit 1
