import { describe, expect, it } from "vitest";
import {
  engineKeys,
  httpPolicySettings,
  kafkaTransportSettings,
  outboundPolicySettings,
  readEngineEnv,
} from "./env";

const base = {
  DATABASE_URL: "postgres://localhost/weir",
  WEIR_INTERNAL_KEY: "an-internal-key-of-some-length",
};

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

  it("requires WEIR_INTERNAL_KEY, long enough, and gives it to the database handle", () => {
    expect(() => readEngineEnv({ DATABASE_URL: base.DATABASE_URL })).toThrow(
      /WEIR_INTERNAL_KEY: WEIR_INTERNAL_KEY is required/,
    );
    const short = "short-key";
    const refused = (() => {
      try {
        readEngineEnv({ ...base, WEIR_INTERNAL_KEY: short });
        return "accepted";
      } catch (error) {
        return String(error);
      }
    })();
    expect(refused).toMatch(/WEIR_INTERNAL_KEY must be at least 16 characters/);
    expect(refused).not.toContain(short);
    expect(engineKeys(readEngineEnv(base)).internalKey).toBe(base.WEIR_INTERNAL_KEY);
  });

  it("says what is missing when the Kafka transport has no brokers", () => {
    expect(() => readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka" })).toThrow(
      /WEIR_KAFKA_BROKERS: WEIR_TRANSPORT=kafka needs WEIR_KAFKA_BROKERS/,
    );
    expect(() => readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka", WEIR_KAFKA_BROKERS: "nope" })).toThrow(
      /WEIR_KAFKA_BROKERS: comma-separated host:port list/,
    );
  });

  it("answers to loopback names, its own host and public URL, and WEIR_ALLOWED_HOSTS; no CORS by default", () => {
    expect(httpPolicySettings(readEngineEnv(base))).toEqual({
      allowedHosts: ["localhost", "127.0.0.1", "::1"],
      corsOrigins: [],
    });
    const env = readEngineEnv({
      ...base,
      WEIR_ENGINE_HOST: "0.0.0.0",
      WEIR_ENGINE_PUBLIC_URL: "http://engine-1.internal:4100",
      WEIR_ALLOWED_HOSTS: " ingest.example.com, *.corp ",
      WEIR_CORS_ORIGINS: "https://app.example.com/",
    });
    expect(httpPolicySettings(env)).toEqual({
      allowedHosts: ["localhost", "127.0.0.1", "::1", "engine-1.internal", "ingest.example.com", "*.corp"],
      corsOrigins: ["https://app.example.com"],
    });
  });

  it("reads WEIR_OUTBOUND_ALLOW and refuses a bad entry naming it", () => {
    const env = readEngineEnv({ ...base, WEIR_OUTBOUND_ALLOW: "127.0.0.1,10.0.0.0/8,hooks.example" });
    const policy = outboundPolicySettings(env, 4100, ["192.168.1.5"]);
    expect(policy.allow.map((e) => e.text)).toEqual(["127.0.0.1", "10.0.0.0/8", "hooks.example"]);
    expect(policy.self).toEqual({ ports: [4100], hosts: ["127.0.0.1", "192.168.1.5"] });
    expect(outboundPolicySettings(readEngineEnv(base), 4100, []).allow).toEqual([]);
    expect(() => readEngineEnv({ ...base, WEIR_OUTBOUND_ALLOW: "10.0.0.0/99" })).toThrow(
      /WEIR_OUTBOUND_ALLOW: WEIR_OUTBOUND_ALLOW: bad prefix length/,
    );
  });
});
