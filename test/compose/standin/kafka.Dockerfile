# Stand-in for the official apache/kafka image: the broker's jars from Maven Central on Debian's
# JRE, configured from KAFKA_* variables like the official image, data in /var/lib/kafka/data.
FROM weir-standin/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/* && groupadd -g 1000 appuser && useradd -u 1000 -g appuser -m appuser \
    && mkdir -p /var/lib/kafka/data /etc/kafka && chown -R appuser /var/lib/kafka /etc/kafka
COPY libs /opt/kafka/libs
COPY kafka-run.sh /opt/kafka/run.sh
USER appuser
EXPOSE 9092
CMD ["bash", "/opt/kafka/run.sh"]
