// The engine's batched writers on real Postgres (issue 10): a write that fails never takes other
// entries with it, and what the database refuses as given is stored in another encoding.
import { randomUUID } from "node:crypto";
import { fromStorableJson, isStorableWrapper } from "@weir/db";
import type { WeirRecord } from "@weir/domain";
import { describe, expect, it } from "vitest";
import type { DeploymentRef } from "../flow/services";
import { useTestDatabase } from "../../test/test-database";
import { CheckpointStore } from "./checkpoint-store";
import { DeadLetterStore } from "./dead-letter-store";
import { FUNCTION_LOG_KEEP, FunctionLogStore } from "./function-log-store";
import { NodeStateStore } from "./function-state-store";
import { RETAINED_MAX_FAILED_FLUSHES, RetainedStore, trimSlack } from "./retained-store";

const t = useTestDatabase();

function deployment(flowId = randomUUID()): DeploymentRef {
  return { id: randomUUID(), flowId, flowVersionId: randomUUID(), version: 1 };
}

const record = (value: unknown): WeirRecord => ({
  key: null,
  value: value as never,
  headers: {},
  timestamp: 1,
});

async function logged(flowId: string, nodeId: string): Promise<unknown[]> {
  const rows = await t.db.sinkLogEntry.findMany({ where: { flowId, nodeId }, orderBy: { id: "asc" } });
  return rows.map((row) => (fromStorableJson(row.record) as WeirRecord).value);
}

/** The test database, counting the write statements the store sends; `away` makes every call fail. */
function countingDb(): { db: typeof t.db; statements: () => number; setAway: (away: boolean) => void } {
  let statements = 0;
  let away = false;
  const db = new Proxy(t.db, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || !["$executeRaw", "$transaction", "$queryRaw"].includes(String(prop)))
        return value;
      return (...args: unknown[]) => {
        if (prop !== "$queryRaw") statements++;
        if (away) return Promise.reject(new Error("connect ECONNREFUSED (the database is away)"));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db, statements: () => statements, setAway: (next) => (away = next) };
}

describe("RetainedStore", () => {
  it("writes every node's records when one node's write always fails, and gives that one up with a reason", async () => {
    const undeliverable: { nodeId: string; value: unknown; error: string }[] = [];
    const store = new RetainedStore(t.db, (_, nodeId, r, error) =>
      undeliverable.push({ nodeId, value: r.value, error }),
    );
    const good = deployment();
    // Not a uuid: Postgres refuses every write of this entry, in any encoding.
    const broken = { ...deployment(), flowId: "not-a-uuid" };
    store.add(broken, "bad", [record("lost?")], 10);
    store.add(good, "a", [record("a\u0000b"), record(1)], 10);
    store.add(good, "b", [record({ "\ud800": [0.1 + 0.2] })], 10);

    for (let flush = 1; flush < RETAINED_MAX_FAILED_FLUSHES; flush++)
      await expect(store.flush()).rejects.toThrow();
    expect(await logged(good.flowId, "a")).toEqual(["a\u0000b", 1]);
    expect(await logged(good.flowId, "b")).toEqual([{ "\ud800": [0.1 + 0.2] }]);
    expect(undeliverable).toEqual([]);

    await store.flush(); // the last try: the broken entry is handed over, not retried forever
    expect(undeliverable).toMatchObject([{ nodeId: "bad", value: "lost?" }]);
    expect(undeliverable[0]?.error).toMatch(/^the log sink could not store this record: /);
    await store.flush();
    expect(undeliverable).toHaveLength(1);
  });
});

describe("RetainedStore with many small sinks (issue 15, density)", () => {
  it("writes every sink's records in one flush, trims each to its keep, and lets callers share a flush not yet started", async () => {
    const store = new RetainedStore(t.db);
    const d = deployment();
    const sinks = Array.from({ length: 30 }, (_, i) => `sink-${String(i)}`);
    for (const [i, nodeId] of sinks.entries()) store.add(d, nodeId, [record(i), record(i + 100)], 1);
    const first = store.flush();
    await new Promise((resolve) => setImmediate(resolve)); // the first flush is now writing
    // Asked for while the first runs: one flush queued behind it and shared, not one per call.
    store.add(d, "late", [record("late")], 5);
    const second = store.flush();
    expect(second).not.toBe(first);
    expect(store.flush()).toBe(second);
    await Promise.all([first, second]);
    for (const [i, nodeId] of sinks.entries()) expect(await logged(d.flowId, nodeId)).toEqual([i + 100]);
    expect(await logged(d.flowId, "late")).toEqual(["late"]);
  });
});

describe("RetainedStore when its one-statement flush fails (1,000 sinks)", () => {
  it("isolates the one sink Postgres refuses with a few statements, not a transaction per sink", async () => {
    const counting = countingDb();
    const store = new RetainedStore(counting.db);
    const d = deployment();
    const sinks = Array.from({ length: 1000 }, (_, i) => `sink-${String(i)}`);
    for (const [i, nodeId] of sinks.entries()) {
      if (i === 617) store.add({ ...deployment(), flowId: "not-a-uuid" }, "bad", [record("x")], 5);
      store.add(d, nodeId, [record(i)], 5);
    }
    await expect(store.flush()).rejects.toThrow();
    // The first statement, then halving 1,001 entries down to the bad one (two statements per
    // level, ten levels) and the bad entry's own three tries (a transaction of two statements
    // each): 27. The old fallback wrote each of the 1,001 entries on its own (over 2,000).
    expect(counting.statements()).toBeLessThanOrEqual(30);
    const rows = await t.db.sinkLogEntry.count({ where: { flowId: d.flowId } });
    expect(rows).toBe(1000);
    expect(await logged(d.flowId, "sink-999")).toEqual([999]);
  });

  it("keeps every record for the next flush while the database is away, without a write per sink", async () => {
    const counting = countingDb();
    const store = new RetainedStore(counting.db);
    const d = deployment();
    for (let i = 0; i < 1000; i++) store.add(d, `sink-${String(i)}`, [record(i)], 5);
    counting.setAway(true);
    await expect(store.flush()).rejects.toThrow(/the database is away/);
    expect(counting.statements()).toBe(1);
    store.add(d, "sink-0", [record("newer")], 5);
    counting.setAway(false);
    await store.flush();
    expect(counting.statements()).toBe(2);
    expect(await t.db.sinkLogEntry.count({ where: { flowId: d.flowId } })).toBe(1001);
    expect(await logged(d.flowId, "sink-0")).toEqual([0, "newer"]);
  });
});

describe("CheckpointStore", () => {
  it("stores the latest position of each source when many save at once, and each save resolves once stored", async () => {
    const store = new CheckpointStore(t.db);
    const flowId = randomUUID();
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      saves.push(store.save(flowId, `gen-${String(i)}`, { next: i }));
      saves.push(store.save(flowId, `gen-${String(i)}`, { next: i + 1000 }));
    }
    await Promise.all(saves);
    for (let i = 0; i < 20; i++)
      expect(await store.load(flowId, `gen-${String(i)}`)).toEqual({ next: i + 1000 });
    await store.save(flowId, "gen-0", { next: "\u0000 kept exactly" });
    expect(await store.load(flowId, "gen-0")).toEqual({ next: "\u0000 kept exactly" });
  });

  it("rejects the saves of a write the database refuses, and writes later ones", async () => {
    const store = new CheckpointStore(t.db);
    await expect(store.save("not-a-uuid", "gen", { next: 1 })).rejects.toThrow();
    const flowId = randomUUID();
    await store.save(flowId, "gen", { next: 2 });
    expect(await store.load(flowId, "gen")).toEqual({ next: 2 });
  });
});

describe("RetainedStore.persisted", () => {
  // Regression (compose test, issue 12): a log sink acked its input as soon as its records were in
  // this buffer, so on the Kafka transport a SIGKILL could commit offsets of records never stored.
  it("resolves only once the node's records are in Postgres, counting trimmed ones as done", async () => {
    const store = new RetainedStore(t.db);
    const d = deployment();
    store.add(d, "p", [record(1), record(2), record(3)], 2);
    await store.persisted(d, "p");
    expect(await logged(d.flowId, "p")).toEqual([2, 3]);
    await expect(store.persisted(d, "p")).resolves.toBeUndefined();
  });

  it("writes a few records soon when a request's answer waits for them, else with the next gathered flush", async () => {
    // A long gap for a few records, so "soon" and "with the next gathered flush" differ by seconds.
    const store = new RetainedStore(t.db, undefined, 5000);
    const d = deployment();
    store.add(d, "gathered", [record(0)], 10);
    await store.flush(); // the last flush began just now
    store.add(d, "gathered", [record(1)], 10);
    let gathered = false;
    const gatheredDone = store.persisted(d, "gathered").then(() => (gathered = true));
    store.add(d, "answered", [record(2)], 10);
    const asked = performance.now();
    await store.persisted(d, "answered", true);
    // Within the short gap (10 ms) and one write; half the long gap leaves room for a busy machine.
    expect(performance.now() - asked).toBeLessThan(2500);
    expect(await logged(d.flowId, "answered")).toEqual([2]);
    // The flush the answer asked for took the gathered record too: it is stored, and its waiter
    // resolves with that flush instead of five seconds after the last.
    await gatheredDone;
    expect(gathered).toBe(true);
    expect(await logged(d.flowId, "gathered")).toEqual([0, 1]);
  });

  it("gathers full batches that come within the full gap into one flush, and brings it forward for a waiter", async () => {
    // Long gaps, so that the batches below come well within them on a busy machine.
    const counting = countingDb();
    const store = new RetainedStore(counting.db, undefined, 60_000, 2_000);
    const d = deployment();
    const batch = (from: number): WeirRecord[] => Array.from({ length: 100 }, (_, i) => record(from + i));
    store.add(d, "warm", [record(0)], 10);
    await store.flush(); // the last flush began just now
    store.add(d, "a", batch(0), 100);
    const aDone = store.persisted(d, "a");
    await new Promise((resolve) => setTimeout(resolve, 50));
    store.add(d, "b", batch(100), 100);
    const bDone = store.persisted(d, "b");
    // Neither full batch has been written yet: they wait for the full gap, together.
    expect(counting.statements()).toBe(1);
    // A request's answer waits for one record: the flush comes forward and takes all three.
    store.add(d, "answered", [record(500)], 10);
    const asked = performance.now();
    await store.persisted(d, "answered", true);
    expect(performance.now() - asked).toBeLessThan(1_500);
    await Promise.all([aDone, bDone]);
    expect(counting.statements()).toBe(2);
    expect((await logged(d.flowId, "b")).length).toBe(100);
  });

  it("keeps waiting while the node's write fails, and resolves once the record is handed on", async () => {
    const handed: unknown[] = [];
    const store = new RetainedStore(t.db, (_, __, r) => handed.push(r.value));
    const broken = { ...deployment(), flowId: "not-a-uuid" };
    store.add(broken, "bad", [record("x")], 10);
    let settled = false;
    const done = store.persisted(broken, "bad").then(() => {
      settled = true;
    });
    // persisted() starts a flush of its own (on the next turn): with it, MAX - 1 flushes fail here.
    await new Promise((resolve) => setImmediate(resolve));
    for (let flush = 2; flush < RETAINED_MAX_FAILED_FLUSHES; flush++)
      await store.flush().catch(() => undefined);
    expect(settled).toBe(false);
    expect(handed).toEqual([]);
    await store.flush().catch(() => undefined);
    await done;
    expect(handed).toEqual(["x"]);
  });
});

describe("RetainedStore with values Postgres refuses for their shape", () => {
  it("stores a record nested 3,000 levels deep exactly, with its neighbours, in order", async () => {
    const store = new RetainedStore(t.db);
    const d = deployment();
    let deep: unknown = "bottom";
    for (let level = 0; level < 3000; level++) deep = [deep];
    store.add(d, "n", [record("before"), record(deep), record("after")], 10);
    await store.flush();
    const values = await logged(d.flowId, "n");
    expect(values[0]).toBe("before");
    expect(JSON.stringify(values[1])).toBe(JSON.stringify(deep));
    expect(values[2]).toBe("after");
    const rows = await t.db.sinkLogEntry.findMany({ where: { flowId: d.flowId }, orderBy: { id: "asc" } });
    // The store's one-statement write hands jsonb the JSON text, which takes this depth as it is
    // (Prisma's createMany refused it, and the record was stored in the wrapper encoding).
    expect(rows.map((row) => isStorableWrapper(row.record))).toEqual([false, false, false]);
  });
});

describe("DeadLetterStore", () => {
  it("stores dead letters whose record, error and node hold NUL or lone surrogates, and resolves persisted()", async () => {
    const store = new DeadLetterStore(t.db);
    const d = deployment();
    const values = ["a\u0000b", { "\ud800": "\udc00" }, "clean"];
    for (const [index, value] of values.entries())
      store.add({
        deployment: d,
        nodeId: "fn",
        record: record(value),
        error: `failed \u0000 ${index} \ud800`,
        attempts: 1,
      });
    await store.persisted();
    const rows = await t.db.deadLetter.findMany({ where: { flowId: d.flowId }, orderBy: { id: "asc" } });
    expect(rows.map((row) => (fromStorableJson(row.record) as WeirRecord).value)).toEqual(values);
    expect(rows.map((row) => row.error)).toEqual(values.map((_, index) => `failed \\u0000 ${index} \\ud800`));
  });
});

describe("FunctionLogStore and NodeStateStore", () => {
  it("writes a key's later value last when two flushes overlap (instances of one node share the store)", async () => {
    // The first flush's transaction is held back 300 ms: a second flush started meanwhile must
    // wait for it, or its newer value commits first and the older one overwrites it.
    let transactions = 0;
    const slowFirst = new Proxy(t.db, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== "$transaction" || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          if (++transactions === 1) await new Promise((resolve) => setTimeout(resolve, 300));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const d = deployment();
    const state = new NodeStateStore(slowFirst, d.flowId, "fn");
    await state.apply([{ key: "last", value: 1 }]);
    const first = state.flush();
    await state.apply([{ key: "last", value: 2 }]);
    await Promise.all([first, state.flush()]);
    expect(await new NodeStateStore(t.db, d.flowId, "fn").get("last")).toBe(2);
  });

  it("trims every logging node to its last lines in one statement per flush", async () => {
    const counting = countingDb();
    const logs = new FunctionLogStore(counting.db);
    const d = deployment();
    const nodes = ["a", "b", "c"];
    for (const nodeId of nodes)
      for (let i = 0; i < FUNCTION_LOG_KEEP + 3; i++)
        logs.add({ deployment: d, nodeId, instance: `${nodeId}#1`, level: "info", message: String(i) });
    await logs.flush();
    expect(counting.statements()).toBe(1);
    for (const nodeId of nodes) {
      const lines = await t.db.functionLogEntry.findMany({
        where: { flowId: d.flowId, nodeId },
        orderBy: { id: "asc" },
      });
      expect(lines.map((line) => line.message)).toEqual(
        Array.from({ length: FUNCTION_LOG_KEEP }, (_, i) => String(i + 3)),
      );
    }
  });

  it("keeps function log lines with NUL (escaped) and state values with NUL (exactly)", async () => {
    const d = deployment();
    const logs = new FunctionLogStore(t.db);
    logs.add({ deployment: d, nodeId: "fn", instance: "fn#1", level: "info", message: "x\u0000y\ud800" });
    await logs.flush();
    const lines = await t.db.functionLogEntry.findMany({ where: { flowId: d.flowId } });
    expect(lines.map((line) => line.message)).toEqual(["x\\u0000y\\ud800"]);

    const state = new NodeStateStore(t.db, d.flowId, "fn");
    await state.apply([
      { key: "v", value: { "a\u0000": "\ud800" } },
      { key: "n", value: null },
    ]);
    await state.flush();
    const fresh = new NodeStateStore(t.db, d.flowId, "fn");
    expect(await fresh.get("v")).toEqual({ "a\u0000": "\ud800" });
    expect(await fresh.get("n")).toBeNull();
  });
});

describe("RetainedStore trimming across flushes (issue 15: one statement per flush)", () => {
  it("trims a node back to its newest `keep` once trimSlack(keep) more rows were written, counting earlier flushes' rows", async () => {
    expect(trimSlack(3)).toBe(3);
    const store = new RetainedStore(t.db);
    const d = deployment();
    // A node's first write trims (rows another process left would go there).
    store.add(d, "t", [record(1), record(2), record(3)], 3);
    store.add(d, "u", [record("u1")], 2);
    await store.flush();
    expect(await logged(d.flowId, "t")).toEqual([1, 2, 3]);
    // Two rows written since the trim, fewer than the slack: no trim, the rows stay (readers
    // show the newest three).
    store.add(d, "t", [record(4), record(5)], 3);
    await store.flush();
    expect(await logged(d.flowId, "t")).toEqual([1, 2, 3, 4, 5]);
    expect(await logged(d.flowId, "u")).toEqual(["u1"]);
    // Five since the trim, three of them in this flush: back to the newest three.
    store.add(d, "t", [record(6), record(7), record(8)], 3);
    store.add(d, "u", [record("u2"), record("u3")], 2);
    await store.flush();
    expect(await logged(d.flowId, "t")).toEqual([6, 7, 8]);
    expect(await logged(d.flowId, "u")).toEqual(["u2", "u3"]);
  });

  it("holds at most keep + trimSlack(keep) − 1 rows of a node over many flushes", async () => {
    const store = new RetainedStore(t.db);
    const d = deployment();
    let most = 0;
    for (let i = 0; i < 40; i++) {
      store.add(d, "n", [record(i)], 5);
      await store.flush();
      most = Math.max(most, await t.db.sinkLogEntry.count({ where: { flowId: d.flowId, nodeId: "n" } }));
    }
    expect(most).toBe(5 + trimSlack(5) - 1);
    expect((await logged(d.flowId, "n")).slice(-5)).toEqual([35, 36, 37, 38, 39]);
  });

  it("trims at its first write what an earlier store (an engine before its restart) left untrimmed", async () => {
    const d = deployment();
    const before = new RetainedStore(t.db);
    before.add(d, "t", [record(1), record(2), record(3)], 3);
    await before.flush();
    before.add(d, "t", [record(4), record(5)], 3);
    await before.flush();
    expect(await logged(d.flowId, "t")).toEqual([1, 2, 3, 4, 5]);
    const after = new RetainedStore(t.db);
    after.add(d, "t", [record(6)], 3);
    await after.flush();
    expect(await logged(d.flowId, "t")).toEqual([4, 5, 6]);
  });

  it("trims a node written by two deployments of its flow in one flush (a redeploy) to its keep", async () => {
    const store = new RetainedStore(t.db);
    const flowId = randomUUID();
    const old = deployment(flowId);
    const next = deployment(flowId);
    store.add(old, "t", [record(1), record(2)], 3);
    await store.flush();
    store.add(old, "t", [record(3)], 3);
    store.add(next, "t", [record(4), record(5)], 3);
    await store.flush();
    expect(await logged(flowId, "t")).toEqual([3, 4, 5]);
  });
});
