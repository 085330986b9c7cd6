// Byte values where the engine stores records (issue 17): a log sink's records and dead letters
// hold a byte value as `{ "$bytes": "<base64>", "length": n }` in Postgres (it was an object of
// indices), the API gives that form, and replaying a dead-lettered byte record feeds the exact
// bytes back into its node. Runs the real engine process on real Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { expectFlowAccounted } from "../test/accounting";
import { eventually, startEngine } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
let engine: EngineProcess;

beforeAll(async () => {
  engine = await startEngine(t.url);
});
afterAll(async () => {
  await engine.stop();
});

// Passes bytes through, but refuses those starting with 0xee until a JSON `{ fix: true }` record
// has set the "fixed" flag in its state: a dead letter that succeeds on replay.
const code = `export default async (r, ctx) => {
  if (r.value instanceof Uint8Array) {
    if (r.value[0] === 0xee && !(await ctx.state.get("fixed"))) throw new Error("refused " + r.value.length + " bytes");
    return r;
  }
  if (r.value.fix) { ctx.state.put("fixed", true); return null; }
  return r;
}`;

const flowSpec: FlowSpecInput = {
  name: "stored bytes",
  nodes: [
    { id: "in", kind: "source", type: "http-ingest", config: { public: true } },
    { id: "fn", kind: "function", type: "function", config: { code, maxAttempts: 1 } },
    { id: "out", kind: "sink", type: "log", config: { keep: 100 } },
  ],
  edges: [
    { id: "e1", from: { node: "in", port: "out" }, to: { node: "fn" } },
    { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
  ],
};

async function post(url: string, body: Uint8Array | unknown[]): Promise<number> {
  const bytes = body instanceof Uint8Array;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": bytes ? "application/octet-stream" : "application/json" },
    body: bytes ? Buffer.from(body) : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accepted: number }).accepted;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

describe("byte values stored by the engine", () => {
  it("keeps byte records in the log sink and dead letters as base64, and replays the exact bytes", async () => {
    const flow = await t.api.flow.create(flowSpec);
    await t.api.deployment.deploy({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
      "running",
    );
    const [instance] = await t.api.engine.list();
    const url = `${instance?.ingestUrl ?? ""}/ingest/${flow.id}/in`;

    // Every byte value once, NUL and 0xff included; the refused one starts with 0xee.
    const passing = Uint8Array.from({ length: 256 }, (_, i) => (i + 1) % 256);
    const refused = Uint8Array.from([0xee, 0x00, 0xff, 0x80, ...new TextEncoder().encode("héllo")]);
    expect(await post(url, passing)).toBe(1);
    expect(await post(url, refused)).toBe(1);
    // A JSON value shaped like stored bytes stays JSON.
    expect(await post(url, [{ value: { $bytes: "aGk=", length: 2 } }])).toBe(1);

    const kept = await eventually(async () => {
      const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out" });
      return rows.length === 2 ? rows : undefined;
    }, "2 records in the log sink");
    expect(kept.map((row) => (row.record as { value: unknown }).value)).toEqual([
      { $bytes: base64(passing), length: 256 },
      { $$bytes: "aGk=", length: 2 },
    ]);
    // In Postgres too: base64 and the length, not an object of indices.
    const stored = await t.db.$queryRaw<{ value: unknown }[]>`
      SELECT record->'value' AS value FROM sink_log_entries WHERE flow_id = ${flow.id}::uuid ORDER BY id`;
    expect(stored[0]?.value).toEqual({ $bytes: base64(passing), length: 256 });

    const [letter] = await eventually(async () => {
      const rows = await t.api.deadLetters.list({ flowId: flow.id });
      return rows.length === 1 ? rows : undefined;
    }, "1 dead letter");
    expect(letter?.error).toBe(`refused ${refused.length} bytes (line 3)`);
    expect((letter?.record as { value: unknown }).value).toEqual({
      $bytes: base64(refused),
      length: refused.length,
    });
    const [storedLetter] = await t.db.$queryRaw<{ value: unknown }[]>`
      SELECT record->'value' AS value FROM dead_letters WHERE flow_id = ${flow.id}::uuid`;
    expect(storedLetter?.value).toEqual({ $bytes: base64(refused), length: refused.length });

    // Fixed, then replayed: the same bytes go through to the sink.
    expect(await post(url, [{ value: { fix: true } }])).toBe(1);
    await eventually(
      async () =>
        (await t.db.functionState.findFirst({ where: { flowId: flow.id, key: "fixed" } })) ?? undefined,
      "the fixed flag in state",
    );
    await t.api.deadLetters.replay({ flowId: flow.id, ids: [letter?.id ?? 0] });
    const after = await eventually(async () => {
      const rows = await t.api.logs.read({ flowId: flow.id, nodeId: "out" });
      return rows.length === 3 ? rows : undefined;
    }, "the replayed record in the log sink");
    expect(after.at(-1)?.record).toMatchObject({
      value: { $bytes: base64(refused), length: refused.length },
    });
    expect(await t.api.deadLetters.list({ flowId: flow.id, status: "replayed" })).toHaveLength(1);

    await t.api.deployment.stop({ flowId: flow.id });
    await eventually(
      async () =>
        (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "stopped" ? true : undefined,
      "stopped",
    );
    const stats = await expectFlowAccounted(t, flow.id);
    expect(stats.find((node) => node.nodeId === "fn")?.accounting).toMatchObject({
      completed: 4,
      deadLettered: 1,
      inFlight: 0,
    });
  });
});
