import { describe, expect, it } from "vitest";
import { kafkaSinkConfigSchema } from "../kafka-sink/definition";
import { kafkaSourceConfigSchema } from "../kafka-source/definition";
import { fakeSourceContext } from "../test-contexts";
import { resolveKafkaConnection } from "./connection";
import { kafkaConnectionSchema } from "./schema";

const configs = [
  { name: "kafka-source", schema: kafkaSourceConfigSchema, rest: { topics: ["orders"] } },
  { name: "kafka-sink", schema: kafkaSinkConfigSchema, rest: { topic: "out" } },
] as const;

function issuesOf(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.join("."),
    message: issue.message,
  }));
}

describe.each(configs)("$name config: brokers or connection", ({ schema, rest }) => {
  it("takes inline brokers", () => {
    expect(schema.parse({ brokers: ["kafka-1:9092"], ...rest })).toMatchObject({ brokers: ["kafka-1:9092"] });
  });

  it("takes a connection profile name", () => {
    const config = schema.parse({ connection: "prod-cluster", ...rest });
    expect(config).toMatchObject({ connection: "prod-cluster" });
    expect(config).not.toHaveProperty("brokers");
  });

  it("refuses both, at connection", () => {
    expect(issuesOf(schema.safeParse({ brokers: ["kafka-1:9092"], connection: "prod", ...rest }))).toEqual([
      { path: "connection", message: "give either brokers or a connection profile, not both" },
    ]);
  });

  it("refuses neither, at brokers", () => {
    expect(issuesOf(schema.safeParse({ ...rest }))).toEqual([
      { path: "brokers", message: "brokers or a connection profile name (connection) is needed" },
    ]);
  });

  it("refuses a bad profile name", () => {
    expect(issuesOf(schema.safeParse({ connection: "has space", ...rest })).map((i) => i.path)).toEqual([
      "connection",
    ]);
  });
});

describe("kafka connection", () => {
  it("defaults ssl to off and checks SASL", () => {
    expect(kafkaConnectionSchema.parse({ brokers: ["b:9092"] })).toEqual({ brokers: ["b:9092"], ssl: false });
    const sasl = kafkaConnectionSchema.safeParse({
      brokers: ["b:9092"],
      sasl: { mechanism: "gssapi", username: "u", password: "p" },
    });
    expect(issuesOf(sasl).map((i) => i.path)).toEqual(["sasl.mechanism"]);
  });

  it("resolves inline brokers without asking the engine", async () => {
    await expect(resolveKafkaConnection({ brokers: ["b:9092"] }, fakeSourceContext())).resolves.toEqual({
      brokers: ["b:9092"],
      ssl: false,
    });
  });

  it("resolves a profile through the context and never echoes its values when invalid", async () => {
    const ctx = fakeSourceContext();
    const profiles: Record<string, unknown> = {
      good: { brokers: ["b:9093"], ssl: true, sasl: { mechanism: "plain", username: "u", password: "pw" } },
      bad: { brokers: ["b:9093"], sasl: { mechanism: "plain", username: "u", password: 12345678 } },
    };
    ctx.connection = (name, kind) => {
      expect(kind).toBe("kafka");
      return Promise.resolve((profiles[name] ?? null) as never);
    };
    await expect(resolveKafkaConnection({ connection: "good" }, ctx)).resolves.toEqual(profiles.good);
    const error = await resolveKafkaConnection({ connection: "bad" }, ctx).catch((e: unknown) => e);
    expect(String(error)).toContain("connection profile 'bad' is invalid: sasl.password");
    expect(String(error)).not.toContain("12345678");
  });

  it("fails clearly when the engine cannot resolve profiles", async () => {
    await expect(resolveKafkaConnection({ connection: "p" }, fakeSourceContext())).rejects.toThrow(
      "connection profile 'p'",
    );
  });
});
