// Secrets are write-only through the API: every procedure is checked for leaking the value.
import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { openSecretValue } from "@weir/db";
import { demoFlow, useTestApi } from "../../test/db";
import { callHttp, withInput } from "../../test/http";
import { anyString } from "../../test/match";

const t = useTestApi();

describe("secrets", () => {
  it("sets, replaces, lists and deletes secrets by name", async () => {
    const first = await t.api.secrets.set({ name: "API_KEY", value: "v1" });
    expect(first).toEqual({ name: "API_KEY", createdAt: anyString(), updatedAt: anyString() });
    await t.api.secrets.set({ name: "_other2", value: "" });

    const replaced = await t.api.secrets.set({ name: "API_KEY", value: "v2" });
    expect(replaced.createdAt).toBe(first.createdAt);
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.updatedAt));
    const stored = await t.db.secret.findUniqueOrThrow({ where: { name: "API_KEY" } });
    expect(stored.keyId).not.toBeNull();
    expect(openSecretValue(t.db, stored)).toBe("v2");

    const list = await t.api.secrets.list();
    expect(list.map((s) => s.name)).toEqual(["API_KEY", "_other2"]);
    expect(list[0]).toEqual({
      name: "API_KEY",
      createdAt: first.createdAt,
      updatedAt: replaced.updatedAt,
      flows: [],
    });

    expect(await t.api.secrets.delete({ name: "_other2" })).toEqual({ name: "_other2" });
    expect((await t.api.secrets.list()).map((s) => s.name)).toEqual(["API_KEY"]);
  });

  it("takes values up to 64 KiB of UTF-8", async () => {
    await t.api.secrets.set({ name: "BIG", value: "x".repeat(64 * 1024) });
    await expect(t.api.secrets.set({ name: "BIG", value: "x".repeat(64 * 1024 + 1) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "invalid input: value: must be at most 65536 bytes (UTF-8)",
    });
    // 3 bytes each in UTF-8: under the limit in characters, over it in bytes.
    await expect(t.api.secrets.set({ name: "BIG", value: "€".repeat(22_000) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("stores only ciphertext: the value is nowhere in the secrets table read with plain SQL", async () => {
    const value = "plain-SQL-must-not-see-this-9f3";
    await t.api.secrets.set({ name: "AT_REST", value });
    const rows = await t.db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM secrets`;
    const table = JSON.stringify(rows);
    expect(table).toContain("AT_REST");
    expect(table).not.toContain(value);
    expect(table).not.toContain(Buffer.from(value).toString("base64"));
    const row = rows.find((r) => r.name === "AT_REST");
    expect(String(row?.value)).toMatch(/^wsb1\.[0-9a-f]{16}\./);
  });

  it("refuses bad names and deleting a secret that does not exist", async () => {
    for (const name of ["", "1ABC", "has-dash", "has space", "a".repeat(257)]) {
      await expect(t.api.secrets.set({ name, value: "v" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(t.api.secrets.delete({ name: "NEVER_SET" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "secret NEVER_SET not found",
    });
    await expect(t.api.secrets.delete({ name: "bad-name" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("lists the flows whose newest version reads each secret", async () => {
    await t.api.secrets.set({ name: "USED_KEY", value: "v" });
    const spec = demoFlow("uses a secret");
    const withSecret = {
      ...spec,
      nodes: spec.nodes?.map((n) =>
        n.id === "double" ? { ...n, config: { ...n.config, secrets: ["USED_KEY"] } } : n,
      ),
    };
    const flow = await t.api.flow.create(withSecret);
    const listed = await t.api.secrets.list();
    expect(listed.find((s) => s.name === "USED_KEY")?.flows).toEqual([
      { id: flow.id, name: "uses a secret" },
    ]);
    // A newer version that no longer reads it: the flow is no longer listed.
    await t.api.flow.update({ id: flow.id, spec });
    expect((await t.api.secrets.list()).find((s) => s.name === "USED_KEY")?.flows).toEqual([]);
  });

  it("never returns a value, in any answer or error, over HTTP", async () => {
    const value = "s3cr3t-Value-that-must-not-leak";
    const answers = [
      await callHttp(t.db, "secrets.set", { body: { name: "LEAK_CHECK", value } }),
      await callHttp(t.db, "secrets.set", { body: { name: "LEAK_CHECK", value: `${value}-2` } }),
      await callHttp(t.db, "secrets.list"),
      // Failures must not echo the value either.
      await callHttp(t.db, "secrets.set", { body: { name: "bad name", value } }),
      await callHttp(t.db, "secrets.set", { body: { name: 42, value } }),
      await callHttp(t.db, "secrets.set", { body: { name: "LEAK_CHECK", value: [value] } }),
      await callHttp(t.db, "secrets.set", { body: { name: "LEAK_CHECK", value: value.repeat(3000) } }),
      await callHttp(t.db, withInput("secrets.list", { value })),
      await callHttp(t.db, "secrets.delete", { body: { name: "LEAK_CHECK", value } }),
      await callHttp(t.db, "secrets.delete", { body: { name: "LEAK_CHECK" } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400, 400, 400, 400, 200, 200, 404]);
    for (const answer of answers) {
      expect(answer.text).not.toContain(value);
      expect(answer.text).not.toContain("s3cr3t");
    }
  });
});
