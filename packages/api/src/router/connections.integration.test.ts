// Connection profiles: secret fields are write-only, so every answer is checked for the value.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { TRPCError } from "@trpc/server";
import { openConnectionSecrets } from "@weir/db";
import type { FlowSpecInput } from "@weir/domain";
import { caught, useTestApi } from "../../test/db";
import { callHttp, withInput } from "../../test/http";
import { anyString } from "../../test/match";
import type { FlowValidationError } from "../errors";

const t = useTestApi();
const PASSWORD = "pa55-Word-that-must-not-leak";

const saslConfig = {
  brokers: ["kafka-1:9093", "kafka-2:9093"],
  ssl: true,
  sasl: { mechanism: "scram-sha-512", username: "weir" },
};

function kafkaFlow(source: Record<string, unknown>, sink: Record<string, unknown>): FlowSpecInput {
  return {
    name: "kafka with profiles",
    nodes: [
      { id: "src", kind: "source", type: "kafka-source", config: { topics: ["in"], ...source } },
      { id: "out", kind: "sink", type: "kafka-sink", config: { topic: "out", ...sink } },
    ],
    edges: [{ id: "e1", from: { node: "src", port: "out" }, to: { node: "out" } }],
  };
}

describe("connections", () => {
  it("sets, gets, lists and deletes profiles, keeping secrets apart and write-only", async () => {
    const created = await t.api.connections.set({
      name: "prod",
      kind: "kafka",
      config: saslConfig,
      secrets: { sasl: { password: PASSWORD } },
    });
    expect(created).toEqual({
      name: "prod",
      kind: "kafka",
      config: saslConfig,
      secrets: { "sasl.password": { set: true } },
      createdAt: anyString(),
      updatedAt: anyString(),
    });
    const row = await t.db.connectionProfile.findUniqueOrThrow({ where: { name: "prod" } });
    expect(row.config).toEqual(saslConfig);
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(openConnectionSecrets(t.db, row)).toEqual({ sasl: { password: PASSWORD } });

    // Without secrets the stored password is kept; the config changes.
    const updated = await t.api.connections.set({
      name: "prod",
      kind: "kafka",
      config: { ...saslConfig, brokers: ["kafka-3:9093"] },
    });
    expect(updated).toMatchObject({
      config: { brokers: ["kafka-3:9093"] },
      secrets: { "sasl.password": { set: true } },
    });
    const kept = await t.db.connectionProfile.findUniqueOrThrow({ where: { name: "prod" } });
    expect(openConnectionSecrets(t.db, kept)).toEqual({ sasl: { password: PASSWORD } });

    await t.api.connections.set({ name: "local", kind: "kafka", config: { brokers: ["localhost:9092"] } });
    expect(await t.api.connections.get({ name: "local" })).toMatchObject({
      config: { brokers: ["localhost:9092"], ssl: false },
      secrets: { "sasl.password": { set: false } },
    });
    expect((await t.api.connections.list()).map((p) => p.name)).toEqual(["local", "prod"]);

    expect(await t.api.connections.delete({ name: "local" })).toEqual({ name: "local" });
    expect((await t.api.connections.list()).map((p) => p.name)).toEqual(["prod"]);
    await expect(t.api.connections.get({ name: "local" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(t.api.connections.delete({ name: "local" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "connection profile local not found",
    });
  });

  it("validates config and secrets together against the kind's schema", async () => {
    await expect(
      t.api.connections.set({ name: "bad", kind: "kafka", config: { brokers: ["no-port"] } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("brokers[0]") as unknown,
    });
    // SASL without a password (no secrets given, none stored) is incomplete.
    await expect(
      t.api.connections.set({ name: "bad", kind: "kafka", config: saslConfig }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("sasl.password") as unknown,
    });
    await expect(t.api.connections.get({ name: "bad" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("never returns a secret value, in any answer or error, over HTTP", async () => {
    const answers = [
      await callHttp(t.db, "connections.set", {
        body: { name: "leak", kind: "kafka", config: saslConfig, secrets: { sasl: { password: PASSWORD } } },
      }),
      // A password put in the config is moved to the secrets, not stored or shown as config.
      await callHttp(t.db, "connections.set", {
        body: {
          name: "leak2",
          kind: "kafka",
          config: { ...saslConfig, sasl: { ...saslConfig.sasl, password: PASSWORD } },
        },
      }),
      await callHttp(t.db, "connections.list"),
      await callHttp(t.db, withInput("connections.get", { name: "leak" })),
      await callHttp(t.db, withInput("connections.get", { name: "leak2" })),
      // Failures must not echo it either.
      await callHttp(t.db, "connections.set", {
        body: {
          name: "leak",
          kind: "kafka",
          config: { brokers: ["x"] },
          secrets: { sasl: { password: PASSWORD } },
        },
      }),
      await callHttp(t.db, "connections.set", {
        body: {
          name: "leak",
          kind: "kafka",
          config: saslConfig,
          secrets: { sasl: { password: [PASSWORD] } },
        },
      }),
      await callHttp(t.db, "connections.set", {
        body: { name: "leak", kind: "nope", config: saslConfig, secrets: { sasl: { password: PASSWORD } } },
      }),
      await callHttp(t.db, "connections.delete", { body: { name: "leak" } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 400, 400, 400, 200]);
    for (const answer of answers) expect(answer.text).not.toContain(PASSWORD);
    expect(await t.api.connections.get({ name: "leak2" })).toMatchObject({
      config: saslConfig,
      secrets: { "sasl.password": { set: true } },
    });
  });

  it("refuses to deploy a flow naming a profile that does not exist, then deploys once it does", async () => {
    await t.api.connections.set({ name: "present", kind: "kafka", config: { brokers: ["localhost:9092"] } });
    const { id } = await t.api.flow.create(kafkaFlow({ connection: "present" }, { connection: "absent" }));
    const error = (await caught(() => t.api.deployment.deploy({ flowId: id }))) as TRPCError & {
      cause: FlowValidationError;
    };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause.problems).toEqual([
      {
        path: ["nodes", 1, "config", "connection"],
        message: "connection profile 'absent' not found (create it with connections.set)",
        code: "missing_connection",
      },
    ]);
    expect(await t.api.deployment.list({ flowId: id })).toEqual([]);
    await t.api.connections.set({ name: "absent", kind: "kafka", config: { brokers: ["localhost:9092"] } });
    await expect(t.api.deployment.deploy({ flowId: id })).resolves.toMatchObject({ desiredState: "running" });
  });

  it("lists the flows naming each profile, and its test says a closed port is unreachable", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await t.api.connections.set({
      name: "nowhere",
      kind: "kafka",
      config: { brokers: [`127.0.0.1:${String(port)}`] },
    });
    const { id } = await t.api.flow.create(kafkaFlow({ connection: "nowhere" }, { connection: "nowhere" }));
    const listed = (await t.api.connections.list()).find((p) => p.name === "nowhere");
    expect(listed?.flows).toEqual([{ id, name: "kafka with profiles" }]);

    const result = await t.api.connections.test({ name: "nowhere" });
    expect(result).toMatchObject({ ok: false, failure: "unreachable" });
    await expect(t.api.connections.test({ name: "never-made" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // The same test on values typed in the form, before they are saved: nothing is stored.
    const draft = await t.api.connections.testDraft({
      name: "typed-only",
      kind: "kafka",
      config: { brokers: [`127.0.0.1:${String(port)}`] },
    });
    expect(draft).toMatchObject({ ok: false, failure: "unreachable" });
    const noPort = await t.api.connections.testDraft({
      name: "typed-only",
      kind: "kafka",
      config: { brokers: ["no-port"] },
    });
    expect(noPort).toMatchObject({ ok: false, failure: "other" });
    expect(noPort.ok ? "" : noPort.message).toContain("brokers[0]");
    await expect(t.api.connections.get({ name: "typed-only" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses a node giving both brokers and a connection, at its path", async () => {
    await expect(
      t.api.flow.create(kafkaFlow({ connection: "p", brokers: ["localhost:9092"] }, { connection: "p" })),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("nodes[0].config.connection") as unknown,
    });
  });
});
