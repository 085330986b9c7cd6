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
  const noProfiles = (name: string): Promise<never> =>
    Promise.reject(new Error(`connection profile '${name}' not found`));

  it("runs the in-process transport unless told otherwise", async () => {
    expect(await kafkaTransportSettings(readEngineEnv(base), noProfiles)).toBeUndefined();
  });

  it("reads the Kafka transport's settings", async () => {
    const env = readEngineEnv({
      ...base,
      WEIR_TRANSPORT: "kafka",
      WEIR_KAFKA_BROKERS: "k1:9092,k2:9092",
      WEIR_KAFKA_PARTITIONS: "8",
      WEIR_KAFKA_CLIENT: "platformatic",
    });
    expect(await kafkaTransportSettings(env, noProfiles)).toEqual({
      connection: { brokers: ["k1:9092", "k2:9092"], ssl: false },
      partitions: 8,
      replicationFactor: undefined,
      sessionTimeoutMs: 10_000,
      client: "platformatic",
      chunkBytes: 512 * 1024,
      maxValueBytes: 64 * 1024 * 1024,
    });
    const byDefault = readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka", WEIR_KAFKA_BROKERS: "k1:9092" });
    expect((await kafkaTransportSettings(byDefault, noProfiles))?.client).toBe("kafkajs");
    expect(() => readEngineEnv({ ...base, WEIR_KAFKA_CLIENT: "rdkafka" })).toThrow(/WEIR_KAFKA_CLIENT/);
  });

  it("connects the transport through a Kafka connection profile, refusing a wrong one by name", async () => {
    const env = readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka", WEIR_KAFKA_CONNECTION: "secure" });
    const profiles: Record<string, { kind: string; value: unknown }> = {
      secure: {
        kind: "kafka",
        value: {
          brokers: ["k1:9093"],
          ssl: true,
          sasl: { mechanism: "plain", username: "u", password: "pw" },
        },
      },
      registry: { kind: "schema-registry", value: { url: "http://r" } },
      broken: {
        kind: "kafka",
        value: { brokers: [], sasl: { mechanism: "plain", username: "u", password: "pw" } },
      },
    };
    const load = (name: string) => {
      const profile = profiles[name];
      return profile ? Promise.resolve(profile) : noProfiles(name);
    };
    expect((await kafkaTransportSettings(env, load))?.connection).toEqual(profiles.secure?.value);
    const named = (name: string) =>
      kafkaTransportSettings(
        readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka", WEIR_KAFKA_CONNECTION: name }),
        load,
      );
    await expect(named("registry")).rejects.toThrow(
      "WEIR_KAFKA_CONNECTION: connection profile 'registry' is a schema-registry profile, not kafka",
    );
    const broken = await named("broken").catch((error: unknown) => String(error));
    expect(broken).toContain("connection profile 'broken' is invalid: brokers:");
    expect(broken).not.toContain("pw");
    await expect(named("missing")).rejects.toThrow("connection profile 'missing' not found");
    expect(() => readEngineEnv({ ...base, WEIR_TRANSPORT: "kafka" })).toThrow(/WEIR_KAFKA_CONNECTION/);
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
