#!/usr/bin/env bash
# Builds stand-ins for the official images the compose stack is written against (node:24,
# postgres:17, apache/kafka), because no container registry is reachable on the machines that run
# Weir's tests. Each comes from Debian packages and the same sources the repository already uses
# (Node 24 from the npm registry, Kafka's jars from Maven Central), and behaves like the official
# image as far as docker-compose.yml relies on it (users, environment variables, ports, volumes).
# Prints the image names as KEY=VALUE lines for `docker compose --env-file`.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
WORK="$ROOT/.weir/standin"
MIRROR="${WEIR_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$WORK"
log() { echo "[standin] $*" >&2; }

have() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have weir-standin/debian:bookworm; then
  log "debootstrap bookworm (about 30 s)"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  tar -C "$WORK/rootfs" -c . | docker import - weir-standin/debian:bookworm >/dev/null
  rm -rf "$WORK/rootfs"
fi

if ! have weir-standin/node:24; then
  log "node:24 stand-in"
  ctx="$WORK/node"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$(bash "$ROOT/scripts/node24.sh")/node" "$ctx/node"
  # The machine's own extra certificate authorities (a TLS-inspecting proxy in front of the npm
  # registry, say), so npm inside the image trusts what npm on the machine trusts.
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  (cd "$ctx" && npm pack --silent npm@11 >/dev/null && mkdir npm && tar xzf npm-*.tgz -C npm --strip-components=1 && rm npm-*.tgz)
  DOCKER_BUILDKIT=0 docker build -q -t weir-standin/node:24 -f "$HERE/node.Dockerfile" "$ctx" >/dev/null
fi

if ! have weir-standin/postgres:17; then
  log "postgres stand-in"
  DOCKER_BUILDKIT=0 docker build -q -t weir-standin/postgres:17 -f "$HERE/postgres.Dockerfile" "$HERE" >/dev/null
fi

if ! have weir-standin/kafka:3.9; then
  log "kafka stand-in"
  bash "$ROOT/scripts/kafka.sh" fetch >&2
  ctx="$WORK/kafka"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -r "$ROOT/.weir/kafka/libs" "$ctx/libs"
  cp "$HERE/kafka-run.sh" "$ctx/"
  DOCKER_BUILDKIT=0 docker build -q -t weir-standin/kafka:3.9 -f "$HERE/kafka.Dockerfile" "$ctx" >/dev/null
fi

echo "NODE_IMAGE=weir-standin/node:24"
echo "POSTGRES_IMAGE=weir-standin/postgres:17"
echo "KAFKA_IMAGE=weir-standin/kafka:3.9"
