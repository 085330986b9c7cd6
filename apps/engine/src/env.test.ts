import { describe, expect, it } from "vitest";
import { kafkaTransportSettings, readEngineEnv } from "./env";

const base = { DATABASE_URL: "postgres://localhost/weir" };

describe("engine env", () => {
  it("runs the in-process transport unless told otherwise", () => {
    expect(kafkaTransportSettings(readEngineEnv(base))).toBeUndefined();
  });

  it("reads the Kafka transport's settings", () => {
    const env = readEngineEnv({
      ...base,
      WEIR_TRANSPORT: "kafka",
      WEIR_KAFKA_BROKERS: "k1:9092,k2:9092",
      WEIR_KAFKA_PARTITIONS: "8",
    });
    expect(kafkaTransportSettings(env)).toEqual({
      brokers: ["k1:9092", "k2:9092"],
      partitions: 8,
      replicationFactor: undefined,
      sessionTimeoutMs: 10_000,
    });
  });

  it("says what is missing when the Kafka transport has no brokers", () => {
    expect(() => readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka" })).toThrow(
      /WEIR_KAFKA_BROKERS: WEIR_TRANSPORT=kafka needs WEIR_KAFKA_BROKERS/,
    );
    expect(() => readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka", WEIR_KAFKA_BROKERS: "nope" })).toThrow(
      /WEIR_KAFKA_BROKERS: comma-separated host:port list/,
    );
  });
});
