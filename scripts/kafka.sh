#!/usr/bin/env bash
# Single-node KRaft Kafka for tests and dev, built from Maven Central jars
# (the only place we can download from; the Apache tarball is out of reach).
#   kafka.sh fetch | start [--port N] [--sasl-port M] [--tls-port T] [--retention-check-ms R] [--dir D] [--keep] | stop [--port N] [--dir D] | [run] [--port N] [--dir D]
# `start --keep` restarts a broker on its existing data (a broker-restart test), instead of a fresh one.
# `--sasl-port M` adds a SASL_PLAINTEXT listener on M with SASL/PLAIN user `weir`, password
# `weir-secret` (tests of clients that authenticate; the PLAINTEXT listener stays).
# `--tls-port T` adds a SASL_SSL listener on T (TLS, then the same SASL/PLAIN user): its key and a
# self-signed certificate for 127.0.0.1 are made with keytool; clients trust `$DIR/ca.pem`.
# `--retention-check-ms R` runs the broker's retention check every R ms instead of every 5 minutes
# (a test of what time-based retention deletes, without waiting for it).
set -euo pipefail

KAFKA_VERSION=3.9.2
# Kafka 3.9 logs through slf4j 1.7.x; reload4j is the backend its own distribution ships.
SLF4J_VERSION=1.7.36

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPT_NAME=kafka.sh
# shellcheck source=lib/service.sh
source "$ROOT/scripts/lib/service.sh"
HOME_DIR="$ROOT/.weir/kafka"
LIBS="$HOME_DIR/libs"
PORT=19092
SASL_PORT=""
TLS_PORT=""
RETENTION_CHECK_MS=""
DIR=""
KEEP=0

parse_opts() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) PORT="${2:?--port needs a value}"; shift 2 ;;
      --sasl-port) SASL_PORT="${2:?--sasl-port needs a value}"; shift 2 ;;
      --tls-port) TLS_PORT="${2:?--tls-port needs a value}"; shift 2 ;;
      --retention-check-ms) RETENTION_CHECK_MS="${2:?--retention-check-ms needs a value}"; shift 2 ;;
      --dir) DIR="${2:?--dir needs a value}"; shift 2 ;;
      --keep) KEEP=1; shift ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ ]] || die "bad port: $PORT"
  [[ -z "$SASL_PORT" || "$SASL_PORT" =~ ^[0-9]+$ ]] || die "bad SASL port: $SASL_PORT"
  [[ -z "$TLS_PORT" || "$TLS_PORT" =~ ^[0-9]+$ ]] || die "bad TLS port: $TLS_PORT"
  [[ -z "$RETENTION_CHECK_MS" || "$RETENTION_CHECK_MS" =~ ^[0-9]+$ ]] || die "bad retention check: $RETENTION_CHECK_MS"
  DIR="${DIR:-$HOME_DIR/data-$PORT}"
}

fetch() {
  # A version marker, not just "some jars", so bumping KAFKA_VERSION refetches.
  if [[ -f "$LIBS/.complete-$KAFKA_VERSION" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  mkdir -p "$HOME_DIR"
  cat >"$HOME_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>weir.local</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>$SLF4J_VERSION</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$LIBS"
  echo "fetching kafka_2.13:$KAFKA_VERSION via maven..." >&2
  # mvn -q still prints stray ANSI resets, so its output goes to a log shown only on failure.
  mvn -q -B -f "$HOME_DIR/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$HOME_DIR/fetch.log" 2>&1 \
    || { tail -n 40 "$HOME_DIR/fetch.log" >&2; die "maven fetch failed"; }
  ls "$LIBS"/kafka_2.13-*.jar >/dev/null 2>&1 || die "no kafka jar in $LIBS"
  touch "$LIBS/.complete-$KAFKA_VERSION"
}

java_cmd() {
  JAVA=(java -Xms128m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j.configuration="file:$HOME_DIR/log4j.properties" -cp "$LIBS/*" "$@")
}

write_configs() {
  # Broker chatter at INFO goes to server.log; client/raft internals only from WARN up.
  cat >"$HOME_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka=INFO
log4j.logger.state.change.logger=WARN
EOF
  local cport=$((PORT + 1))
  local listeners="PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$cport"
  local advertised="PLAINTEXT://127.0.0.1:$PORT"
  local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [[ -n "$SASL_PORT" ]]; then
    listeners+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
    advertised+=",SASL_PLAINTEXT://127.0.0.1:$SASL_PORT"
    protocols+=",SASL_PLAINTEXT:SASL_PLAINTEXT"
  fi
  if [[ -n "$TLS_PORT" ]]; then
    listeners+=",SASL_SSL://127.0.0.1:$TLS_PORT"
    advertised+=",SASL_SSL://127.0.0.1:$TLS_PORT"
    protocols+=",SASL_SSL:SASL_SSL"
    write_tls_key
  fi
  cat >"$DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=$listeners
advertised.listeners=$advertised
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.partitions=1
EOF
  if [[ -n "$SASL_PORT$TLS_PORT" ]]; then
    echo "sasl.enabled.mechanisms=PLAIN" >>"$DIR/server.properties"
  fi
  if [[ -n "$RETENTION_CHECK_MS" ]]; then
    echo "log.retention.check.interval.ms=$RETENTION_CHECK_MS" >>"$DIR/server.properties"
  fi
  local jaas='org.apache.kafka.common.security.plain.PlainLoginModule required username="weir" password="weir-secret" user_weir="weir-secret";'
  if [[ -n "$SASL_PORT" ]]; then
    echo "listener.name.sasl_plaintext.plain.sasl.jaas.config=$jaas" >>"$DIR/server.properties"
  fi
  if [[ -n "$TLS_PORT" ]]; then
    cat >>"$DIR/server.properties" <<EOF
listener.name.sasl_ssl.plain.sasl.jaas.config=$jaas
ssl.keystore.location=$DIR/broker.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=weir-tls
ssl.key.password=weir-tls
EOF
  fi
}

# A key and a self-signed certificate for 127.0.0.1 (its own CA: clients trust ca.pem).
write_tls_key() {
  command -v keytool >/dev/null || die "keytool not found (it comes with the JDK)"
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=127.0.0.1" -ext "SAN=IP:127.0.0.1,DNS:localhost" -ext "BC:c=ca:true" \
    -keystore "$DIR/broker.p12" -storetype PKCS12 -storepass weir-tls -keypass weir-tls \
    >"$DIR/keytool.log" 2>&1 || { cat "$DIR/keytool.log" >&2; die "keytool failed"; }
  keytool -exportcert -rfc -alias broker -keystore "$DIR/broker.p12" -storepass weir-tls \
    -file "$DIR/ca.pem" >>"$DIR/keytool.log" 2>&1 || { cat "$DIR/keytool.log" >&2; die "keytool export failed"; }
}

is_running() { pid_running "$DIR/kafka.pid"; }

start() {
  [[ -f "$LIBS/.complete-$KAFKA_VERSION" ]] || die "jars missing; run: $0 fetch"
  if is_running; then die "already running (pid $(cat "$DIR/kafka.pid")) in $DIR"; fi
  if ((KEEP)) && [[ -f "$DIR/server.properties" ]]; then
    # The old log goes aside so the readiness check below waits for this start's line.
    mv "$DIR/server.log" "$DIR/server.log.previous" 2>/dev/null || true
  else
    rm -rf "$DIR"
    mkdir -p "$DIR"
    write_configs
    # Kafka's Uuid format: 16 random bytes, base64url without padding.
    local cluster_id
    # Base64url of 16 random bytes, never starting with '-' (the storage tool would read it as an
    # option: "expected one argument").
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    while [[ "$cluster_id" == -* ]]; do
      cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    done
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$DIR/server.properties"
    "${JAVA[@]}" >"$DIR/format.log" 2>&1 || { cat "$DIR/format.log" >&2; die "storage format failed"; }
  fi

  # setsid: the broker must outlive this script and not get the caller's Ctrl-C twice.
  java_cmd kafka.Kafka "$DIR/server.properties"
  setsid "${JAVA[@]}" >"$DIR/server.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$DIR/kafka.pid"

  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_log "$DIR/server.log"; die "broker exited during startup"
    fi
    if grep -q 'started (kafka.server.KafkaRaftServer)\|Kafka Server started' "$DIR/server.log" \
      && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      echo "kafka ready on 127.0.0.1:$PORT"
      return 0
    fi
    sleep 0.3
  done
  show_log "$DIR/server.log"
  stop
  die "broker not ready on 127.0.0.1:$PORT after 60s"
}

stop() {
  stop_pid "$DIR/kafka.pid"
  echo "kafka stopped (127.0.0.1:$PORT)"
}

run() {
  fetch
  start
  local pid
  pid="$(cat "$DIR/kafka.pid")"
  trap 'stop; exit 0' INT TERM
  echo "logs: $DIR/server.log (Ctrl-C to stop)"
  # setsid execs in place (we are not a group leader), so the broker is still our child.
  wait "$pid" || true
  die "broker exited; see $DIR/server.log"
}

# No subcommand means `run`, so plain `npm run kafka` gives a dev broker.
cmd=run
if [[ $# -gt 0 && "$1" != --* ]]; then cmd="$1"; shift; fi
case "$cmd" in
  fetch) [[ $# -eq 0 ]] || die "fetch takes no options"; fetch ;;
  start) parse_opts "$@"; start ;;
  stop) parse_opts "$@"; stop ;;
  run) parse_opts "$@"; run ;;
  *) die "usage: kafka.sh fetch | start|stop|run [--port N] [--dir D]" ;;
esac
