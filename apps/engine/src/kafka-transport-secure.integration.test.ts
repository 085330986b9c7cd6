// The Kafka transport's own connection through a Kafka connection profile (WEIR_KAFKA_CONNECTION):
// a broker whose only listener the profile names wants SASL/PLAIN (over plaintext, then over TLS),
// the password is stored sealed by the API and opened by the engine; the flow runs over edge topics
// on it. A profile with the wrong password fails the deployment with the broker's reason, never the
// password; a broker whose certificate the engine does not trust fails it naming the certificate.
// The broker's certificate is self-signed, as a private CA's would be: the engine trusts it through
// Node's NODE_EXTRA_CA_CERTS (what the README tells operators of a private CA to set).
import { randomUUID } from "node:crypto";
import type { FlowSpecInput } from "@weir/domain";
import { startKafka } from "@weir/testkit";
import type { KafkaHandle } from "@weir/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let kafka: KafkaHandle;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  kafka = await startKafka({ sasl: true, tls: true });
}, 180_000);
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
  await kafka.stop();
}, 60_000);

async function profile(name: string, password: string, tls = false): Promise<void> {
  await t.api.connections.set({
    name,
    kind: "kafka",
    config: {
      brokers: [(tls ? kafka.tlsBrokers : kafka.saslBrokers) ?? ""],
      ssl: tls,
      sasl: { mechanism: "plain", username: "weir", password },
    },
  });
}

/** Starts an engine on the profile, the only one running, so it is the one that takes the next deploy. */
async function onlyEngineOn(profileName: string, env: Record<string, string> = {}): Promise<void> {
  await Promise.all(engines.splice(0).map((engine) => engine.stop()));
  engines.push(
    await startEngine(t.url, {
      WEIR_TRANSPORT: "kafka",
      WEIR_KAFKA_CONNECTION: profileName,
      WEIR_ENGINE_ID: `secure-${profileName}-${randomUUID().slice(0, 6)}`,
      WEIR_KAFKA_PARTITIONS: "2",
      ...env,
    }),
  );
}

async function runsAllRecords(name: string): Promise<void> {
  const created = await t.api.flow.create(flow(name));
  await t.api.deployment.deploy({ flowId: created.id });
  const rows = await eventually(
    async () => {
      const read = await t.api.logs.read({ flowId: created.id, nodeId: "out", limit: 1000 });
      return read.length >= 200 ? read : undefined;
    },
    `200 records through the edge topics of "${name}"`,
    60_000,
  );
  expect(rows).toHaveLength(200);
  // Stats are flushed about once a second.
  const fn = await eventually(
    async () => {
      const stats = await t.api.stats.get({ flowId: created.id });
      const node = stats.nodes.find((n) => n.nodeId === "fn");
      return node && node.recordsOut >= 200 ? node : undefined;
    },
    "the function's counters",
    20_000,
  );
  expect(fn).toMatchObject({ recordsIn: 200, recordsOut: 200, errors: 0 });
  await t.api.deployment.stop({ flowId: created.id });
}

async function deploymentError(name: string): Promise<string> {
  const created = await t.api.flow.create(flow(name));
  await t.api.deployment.deploy({ flowId: created.id });
  const failed = await eventually(
    async () => {
      const status = await t.api.deployment.status({ flowId: created.id });
      return status?.actualState === "failed" ? status : undefined;
    },
    `the deployment of "${name}" failed`,
    60_000,
  );
  return failed.error ?? "";
}

const flow = (name: string): FlowSpecInput => ({
  name,
  nodes: [
    { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: 200 } },
    { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
    { id: "out", kind: "sink", type: "log", config: { keep: 1000 } },
  ],
  edges: [
    { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
    { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
  ],
});

describe("transport=kafka through a secured connection profile", () => {
  it("runs a flow over edge topics on a broker that wants SASL/PLAIN", async () => {
    await profile("transport-sasl", "weir-secret");
    await onlyEngineOn("transport-sasl");
    await runsAllRecords("over sasl");
  }, 120_000);

  it("fails the deployment with the broker's reason when the profile's password is wrong", async () => {
    await profile("transport-wrong", "not-the-password");
    await onlyEngineOn("transport-wrong");
    const error = await deploymentError("wrong password");
    expect(error).toMatch(/SASL|[Aa]uthentication/);
    expect(error).not.toContain("not-the-password");
  }, 120_000);

  it("runs a flow over TLS + SASL when the engine trusts the broker's CA", async () => {
    await profile("transport-tls", "weir-secret", true);
    await onlyEngineOn("transport-tls", { NODE_EXTRA_CA_CERTS: kafka.tlsCaFile ?? "" });
    await runsAllRecords("over tls");
  }, 120_000);

  it("fails the deployment naming the certificate when the engine does not trust the broker's", async () => {
    await profile("transport-untrusted", "weir-secret", true);
    await onlyEngineOn("transport-untrusted");
    expect(await deploymentError("untrusted certificate")).toMatch(/certificate/i);
  }, 120_000);
});
