#!/usr/bin/env bash
# Like the official image: every KAFKA_FOO_BAR variable becomes foo.bar in server.properties, the
# storage is formatted on first start (CLUSTER_ID), and the broker runs in the foreground.
set -euo pipefail
props=/etc/kafka/server.properties
: >"$props"
while IFS='=' read -r name value; do
  [[ "$name" == KAFKA_* && "$name" != KAFKA_HEAP_OPTS ]] || continue
  key="$(echo "${name#KAFKA_}" | tr '[:upper:]' '[:lower:]' | tr '_' '.')"
  echo "$key=$value" >>"$props"
done < <(env)
grep -q '^log.dirs=' "$props" || echo "log.dirs=/var/lib/kafka/data" >>"$props"
cat >/etc/kafka/log4j.properties <<'LOG'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
LOG
java=(java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -Djava.awt.headless=true
  -Dlog4j.configuration=file:/etc/kafka/log4j.properties -cp "/opt/kafka/libs/*")
logdir="$(sed -n 's/^log.dirs=//p' "$props")"
if [[ ! -f "$logdir/meta.properties" ]]; then
  "${java[@]}" kafka.tools.StorageTool format -t "${CLUSTER_ID:-$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')}" -c "$props"
fi
exec "${java[@]}" kafka.Kafka "$props"
