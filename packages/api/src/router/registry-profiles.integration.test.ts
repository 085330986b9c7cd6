// Schema-registry connection profiles: stored like Kafka profiles (secret fields write-only), and
// their test lists the registry's subjects. The registry is the stand-in from
// @weir/schema-registry (no real registry installs here; that package's README says what was tried).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@weir/schema-registry";
import { startStandInRegistry } from "@weir/schema-registry/testing";
import type { StandInRegistry } from "@weir/schema-registry/testing";
import type { TRPCError } from "@trpc/server";
import { caught, useTestApi } from "../../test/db";
import type { FlowValidationError } from "../errors";

const t = useTestApi();
const PASSWORD = "registry-pa55-that-must-not-leak";
const auth = { kind: "basic" as const, username: "weir", password: PASSWORD };
let registry: StandInRegistry;

beforeAll(async () => {
  registry = await startStandInRegistry({ basicAuth: auth });
  const client = new RegistryClient({ url: registry.url, auth });
  for (const subject of ["payments-value", "orders-value"])
    await client.register(subject, { schemaType: "AVRO", schema: '"string"', references: [] });
});
afterAll(() => registry.close());

describe("schema-registry connection profiles", () => {
  it("stores the password apart and never answers it; the test lists the subjects", async () => {
    const saved = await t.api.connections.set({
      name: "registry",
      kind: "schema-registry",
      config: { url: registry.url, auth: { kind: "basic", username: "weir" } },
      secrets: { auth: { password: PASSWORD } },
    });
    expect(saved).toMatchObject({
      kind: "schema-registry",
      config: { url: registry.url, auth: { kind: "basic", username: "weir" } },
      secrets: { "auth.password": { set: true }, "auth.token": { set: false }, "tls.key": { set: false } },
    });
    const listed = await t.api.connections.list();
    expect(JSON.stringify([saved, listed, await t.api.connections.get({ name: "registry" })])).not.toContain(
      PASSWORD,
    );

    expect(await t.api.connections.testRegistry({ name: "registry" })).toMatchObject({
      ok: true,
      subjects: ["orders-value", "payments-value"],
    });
  });

  it("says auth when the stored password is wrong, and refuses a profile of another kind", async () => {
    await t.api.connections.set({
      name: "registry-wrong",
      kind: "schema-registry",
      config: { url: registry.url, auth: { kind: "basic", username: "weir" } },
      secrets: { auth: { password: "nope" } },
    });
    expect(await t.api.connections.testRegistry({ name: "registry-wrong" })).toMatchObject({
      ok: false,
      failure: "auth",
    });
    await t.api.connections.set({ name: "brokers", kind: "kafka", config: { brokers: ["localhost:9092"] } });
    const error = await caught(() => t.api.connections.testRegistry({ name: "brokers" }));
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      message: "connection profile brokers is a kafka profile, not schema-registry",
    });
  });

  it("tests a draft as typed, saving nothing; a draft without the password uses the stored one", async () => {
    const draft = {
      name: "registry-draft",
      kind: "schema-registry" as const,
      config: { url: registry.url, auth: { kind: "basic", username: "weir" } },
    };
    expect(
      await t.api.connections.testDraft({ ...draft, secrets: { auth: { password: PASSWORD } } }),
    ).toMatchObject({ ok: true, subjects: ["orders-value", "payments-value"] });
    expect(
      await t.api.connections.testDraft({ ...draft, secrets: { auth: { password: "nope" } } }),
    ).toMatchObject({ ok: false, failure: "auth" });
    // Nothing of either test was stored.
    expect((await t.api.connections.list()).map((p) => p.name)).not.toContain("registry-draft");

    await t.api.connections.set({ ...draft, secrets: { auth: { password: PASSWORD } } });
    expect(await t.api.connections.testDraft(draft)).toMatchObject({ ok: true });

    const invalid = await t.api.connections.testDraft({ ...draft, config: { url: "ftp://registry" } });
    expect(invalid).toMatchObject({ ok: false, failure: "other" });
    expect(invalid.ok ? "" : invalid.message).toContain("url: the registry URL is http(s)://");
  });

  it("refuses a profile that is not a registry connection, at its path", async () => {
    const error = await caught(() =>
      t.api.connections.set({ name: "bad", kind: "schema-registry", config: { url: "ftp://registry" } }),
    );
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("url: the registry URL is http(s)://") as unknown,
    });
  });

  it("refuses to deploy a flow naming a registry profile that does not exist, and lists the flows naming one", async () => {
    const kafka = { brokers: ["localhost:9092"], valueFormat: "registry" };
    const flow = await t.api.flow.create({
      name: "registry flow",
      nodes: [
        {
          id: "src",
          kind: "source",
          type: "kafka-source",
          config: { ...kafka, topics: ["in"], registry: "registry" },
        },
        {
          id: "out",
          kind: "sink",
          type: "kafka-sink",
          config: { ...kafka, topic: "out", registry: "never-made", schema: { format: "avro" } },
        },
      ],
      edges: [{ id: "e1", from: { node: "src", port: "out" }, to: { node: "out" } }],
    });
    const error = (await caught(() => t.api.deployment.deploy({ flowId: flow.id }))) as TRPCError & {
      cause: FlowValidationError;
    };
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.cause.problems).toEqual([
      {
        path: ["nodes", 1, "config", "registry"],
        message: "connection profile 'never-made' not found (create it with connections.set)",
        code: "missing_connection",
      },
    ]);
    const listed = (await t.api.connections.list()).find((p) => p.name === "registry");
    expect(listed?.flows).toEqual([{ id: flow.id, name: "registry flow" }]);
  });
});
