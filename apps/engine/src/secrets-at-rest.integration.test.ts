// Secrets at rest, with the engine as a process (as npm start and compose run it): rows stored
// before encryption are sealed at start; a start without the key (or with another) is refused once
// anything is sealed; a deployed function reads its secret, and the value is in no log line, no
// answer, no flow version and nowhere in the database in plain text.
import pg from "pg";
import { generateSecretKey } from "@weir/db";
import { describe, expect, it } from "vitest";
import { eventually, startEngine } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();

/** Every row of every table, as JSON text: what someone reading the database sees. */
async function databaseDump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
      parts.push(name, ...rows.rows.map((r: { row: string }) => r.row));
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

describe("secrets at rest, engine process", () => {
  it("seals rows stored before encryption at start, and refuses to start without the key or with another", async () => {
    await t.db.secret.create({ data: { name: "FROM_BEFORE", value: "old-plain-value-41" } });

    const keyless = await startEngine(t.url, { WEIR_SECRET_KEY: "" });
    await keyless.stop();
    expect(keyless.output()).toContain("1 secret value(s) are stored unencrypted: set WEIR_SECRET_KEY");

    const keyed = await startEngine(t.url);
    await keyed.stop();
    expect(keyed.output()).toContain("encrypted 1 secret value(s) stored before encryption");
    expect(await databaseDump(t.url)).not.toContain("old-plain-value-41");

    await expect(startEngine(t.url, { WEIR_SECRET_KEY: "" })).rejects.toThrow(
      /engine failed to start: 1 stored secret value\(s\) are encrypted, but WEIR_SECRET_KEY is not set/,
    );
    await expect(startEngine(t.url, { WEIR_SECRET_KEY: generateSecretKey() })).rejects.toThrow(
      /engine failed to start: stored secret values are encrypted with key [0-9a-f]{16}, but WEIR_SECRET_KEY is key/,
    );
    const malformed = "not-a-key-but-a-password-7";
    const refused = await startEngine(t.url, { WEIR_SECRET_KEY: malformed }).then(
      () => "started",
      (error: unknown) => String(error),
    );
    expect(refused).toMatch(
      /WEIR_SECRET_KEY must be 32 random bytes as 64 hex digits or 44 base64 characters/,
    );
    expect(refused).not.toContain(malformed);
    await t.db.secret.delete({ where: { name: "FROM_BEFORE" } });
  });

  it("gives a deployed function its secret; the value is in no log, answer, version or table", async () => {
    const value = "Sk-live-4f1c9e-never-in-plain-text";
    await t.api.secrets.set({ name: "PAYMENT_KEY", value });
    const code = `export default (record, ctx) => {
  ctx.log.info("charging with " + ctx.secrets.PAYMENT_KEY);
  return { value: { keyLength: ctx.secrets.PAYMENT_KEY.length, seq: record.value.seq } };
}`;
    const flow = await t.api.flow.create({
      name: "uses a secret",
      nodes: [
        { id: "gen", kind: "source", type: "generator", config: { intervalMs: 0, count: 3 } },
        { id: "fn", kind: "function", type: "function", config: { code, secrets: ["PAYMENT_KEY"] } },
        { id: "out", kind: "sink", type: "log" },
      ],
      edges: [
        { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    const engine = await startEngine(t.url);
    try {
      await t.api.deployment.deploy({ flowId: flow.id });
      const records = await eventually(async () => {
        const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out" });
        return rows.length === 3 ? rows : undefined;
      }, "3 records through the function");
      // The function read the real value (decrypted by the engine), not the ciphertext.
      expect(JSON.stringify(records)).toContain(`"keyLength":${value.length}`);
      const logs = await eventually(async () => {
        const rows = await t.api.logs.function({ flowId: flow.id, nodeId: "fn" });
        return rows.length === 3 ? rows : undefined;
      }, "3 function log lines");
      expect(logs[0]).toMatchObject({ message: "charging with ***" });
      const collected = [
        engine.output(),
        JSON.stringify(records),
        JSON.stringify(logs),
        JSON.stringify(await t.api.flow.get({ id: flow.id })),
        JSON.stringify(await t.api.secrets.list()),
        JSON.stringify(await t.api.deployment.status({ flowId: flow.id })),
        await databaseDump(t.url),
      ].join("\n");
      expect(collected).toContain("PAYMENT_KEY");
      expect(collected).not.toContain(value);
      await t.api.deployment.stop({ flowId: flow.id });
    } finally {
      await engine.stop();
    }
    expect(engine.output()).not.toContain(value);
  });
});
