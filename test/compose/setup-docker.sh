#!/usr/bin/env bash
# Makes sure this machine can run the self-hosting test: Docker Engine (Debian's docker.io),
# debootstrap (for the stand-in base images), Compose v2 and a running dockerd. Debian 12 ships
# only Compose v1, so v2's plugin binary is taken from the docker-compose package of Debian's
# forky suite (pinned low, so nothing else is taken from forky). Needs root; used by .ci/run.
set -euo pipefail
log() { echo "[docker-setup] $*"; }
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

need=()
# Some machine images carry the Docker client alone (/usr/local/bin/docker): the daemon decides.
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]} > 0)); then
  log "installing ${need[*]}"
  apt-get update -qq && apt_install "${need[@]}"
fi

if ! docker compose version >/dev/null 2>&1; then
  log "installing the Compose v2 plugin from Debian forky's docker-compose package"
  if [[ ! -f /etc/apt/sources.list.d/forky.sources ]]; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: forky\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >/etc/apt/sources.list.d/forky.sources
    printf 'Package: *\nPin: release n=forky\nPin-Priority: 100\n' >/etc/apt/preferences.d/forky
  fi
  apt-get update -qq
  tmp=$(mktemp -d)
  version=$(apt-cache madison docker-compose | awk '$3 ~ /^2\./ { print $3; exit }')
  [[ -n "$version" ]] || { log "no docker-compose 2.x package found"; exit 1; }
  (cd "$tmp" && apt-get download -qq "docker-compose=$version" 2>/dev/null && dpkg-deb -x docker-compose_*.deb x)
  mkdir -p /usr/local/lib/docker/cli-plugins
  cp "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" /usr/local/lib/docker/cli-plugins/
  rm -rf "$tmp"
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p "$(dirname "$0")/../../.weir"
  nohup dockerd >"$(dirname "$0")/../../.weir/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { log "dockerd did not start"; tail -20 "$(dirname "$0")/../../.weir/dockerd.log"; exit 1; }
fi
log "$(docker --version); $(docker compose version)"
