#!/usr/bin/env bash
# Apicurio Registry (a real schema registry with the Confluent-compatible `ccompat` API, at
# /apis/ccompat/v7) for tests and dev, packaged with Maven from scripts/apicurio/pom.xml as a
# Quarkus fast-jar, storage in memory (H2), one process per port.
#   apicurio.sh fetch | start [--port N] | stop [--port N] | [run] [--port N]
# The build is cached under .weir/apicurio/<version>; `fetch` rebuilds only when the version changes.
# Not every module of the registry is on Maven Central: see scripts/apicurio/README.md for which
# and how they reach the local Maven repository; `fetch` names the missing ones when it fails.
set -euo pipefail

APICURIO_VERSION=2.6.13.Final

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT_NAME=apicurio.sh
# shellcheck source=lib/service.sh
source "$ROOT/scripts/lib/service.sh"
HOME_DIR="$ROOT/.weir/apicurio"
APP_DIR="$HOME_DIR/$APICURIO_VERSION"
PORT=18081
DIR=""

parse_opts() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ ]] || die "bad port: $PORT"
  DIR="$HOME_DIR/run-$PORT"
}

fetch() {
  if [[ -f "$APP_DIR/quarkus-app/quarkus-run.jar" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  local build="$HOME_DIR/build-$APICURIO_VERSION"
  rm -rf "$build"
  mkdir -p "$build"
  cp "$ROOT/scripts/apicurio/pom.xml" "$ROOT/scripts/apicurio/settings.xml" "$build/"
  echo "packaging apicurio-registry-app:$APICURIO_VERSION with maven (quarkus build)..." >&2
  # -U: a look-up that failed once is otherwise not retried, whatever has changed since.
  if ! mvn -B -U -s "$build/settings.xml" -f "$build/pom.xml" -DskipTests \
    -Dapicurio.version="$APICURIO_VERSION" -Dquarkus.package.jar.type=fast-jar package \
    >"$build/build.log" 2>&1; then
    echo "--- missing artifacts:" >&2
    grep -oE '[a-zA-Z0-9_.-]+:[a-zA-Z0-9_.-]+:(jar|pom)(:[a-z]+)?:[0-9][^ ,:]*' "$build/build.log" \
      | sort -u >&2 || true
    tail -n 20 "$build/build.log" >&2
    die "maven packaging failed (log: $build/build.log; see scripts/apicurio/README.md)"
  fi
  rm -rf "$APP_DIR"
  mkdir -p "$APP_DIR"
  cp -r "$build/target/quarkus-app" "$APP_DIR/"
  rm -rf "$build"
}

is_running() { pid_running "$DIR/apicurio.pid"; }

start() {
  [[ -f "$APP_DIR/quarkus-app/quarkus-run.jar" ]] || die "build missing; run: $0 fetch"
  if is_running; then die "already running (pid $(cat "$DIR/apicurio.pid")) on port $PORT"; fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  # Each process has its own in-memory H2 database: a restart starts from an empty registry.
  setsid java -Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 \
    -DREGISTRY_DATASOURCE_URL="jdbc:h2:mem:registry_$PORT" \
    -jar "$APP_DIR/quarkus-app/quarkus-run.jar" >"$DIR/registry.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$DIR/apicurio.pid"

  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log "$DIR/registry.log"; die "registry exited during startup"
    fi
    if curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 \
      && curl -sf "http://127.0.0.1:$PORT/apis/ccompat/v7/subjects" >/dev/null 2>&1; then
      echo "apicurio ready on http://127.0.0.1:$PORT (Confluent API: /apis/ccompat/v7)"
      return 0
    fi
    sleep 0.3
  done
  show_log "$DIR/registry.log"
  stop
  die "registry not ready on 127.0.0.1:$PORT after 60s"
}

stop() {
  stop_pid "$DIR/apicurio.pid"
  echo "apicurio stopped (127.0.0.1:$PORT)"
}

run() {
  fetch
  start
  local pid
  pid="$(cat "$DIR/apicurio.pid")"
  trap 'stop; exit 0' INT TERM
  echo "logs: $DIR/registry.log (Ctrl-C to stop)"
  wait "$pid" || true
  die "registry exited; see $DIR/registry.log"
}

cmd=run
if [[ $# -gt 0 && "$1" != --* ]]; then cmd="$1"; shift; fi
case "$cmd" in
  fetch) [[ $# -eq 0 ]] || die "fetch takes no options"; fetch ;;
  start) parse_opts "$@"; start ;;
  stop) parse_opts "$@"; stop ;;
  run) parse_opts "$@"; run ;;
  *) die "usage: apicurio.sh fetch | start|stop|run [--port N]" ;;
esac
