// Edge peek (issue #11 B) through real engine processes and the API: an edge is sampled only
// while someone watches it (the engine's weir_edge_peeks_watched gauge says so), the last 20
// records come newest first with the flow's secrets redacted, with the edge's rate; on the
// in-process transport and on Kafka with two engines, whose samples the API merges, including an
// edge out of a Kafka source (read straight from its topic by the next node).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import type {} from "@weir/testkit/kafka-setup";
import { TEST_INTERNAL_KEY } from "@weir/testkit/test-keys";
import { eventually, startEngine } from "../test/engine-process";
import { INTERNAL_KEY_HEADER } from "./endpoint-auth";
import type { EngineProcess } from "../test/engine-process";
import { startKafkaEngine, testAdmin } from "../test/kafka-engines";
import { untilGroupStable } from "../test/kafka-faults";
import { kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();
const engines: EngineProcess[] = [];
const SECRET = `peek-secret-${randomUUID()}`;

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
});

/** generator (50/s) → function that puts a secret in every record → log sink. */
function peekFlow(name: string, parallelism: number): FlowSpecInput {
  return {
    name,
    nodes: [
      { id: "gen", kind: "source", type: "generator", config: { intervalMs: 20 } },
      {
        id: "fn",
        kind: "function",
        type: "function",
        parallelism,
        config: {
          code: "export default (r, ctx) => ({ key: 'k' + r.value.seq, value: { seq: r.value.seq, token: ctx.secrets.PEEK_TOKEN } })",
          secrets: ["PEEK_TOKEN"],
        },
      },
      { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
    ],
    edges: [
      { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

async function liveEngineUrls(count: number): Promise<string[]> {
  return eventually(
    async () => {
      const urls = (await t.api.engine.list()).filter((e) => e.alive).map((e) => e.ingestUrl);
      return urls.length === count ? urls : undefined;
    },
    `${String(count)} live engines`,
  );
}

/** Edges the engine samples now, from its /metrics. */
async function watchedOn(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^weir_edge_peeks_watched(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!match) throw new Error(`no weir_edge_peeks_watched in ${url}/metrics`);
  return Number(match[1]);
}

async function deployRunning(spec: FlowSpecInput): Promise<string> {
  const flow = await t.api.flow.create(spec);
  await t.api.deployment.deploy({ flowId: flow.id });
  await eventually(
    async () =>
      (await t.api.deployment.status({ flowId: flow.id }))?.actualState === "running" ? true : undefined,
    "running",
    30_000,
  );
  return flow.id;
}

/** Waits until at least `n` records have left the function, unwatched. */
async function flowed(flowId: string, n: number): Promise<number> {
  return eventually(
    async () => {
      const fn = (await t.api.stats.get({ flowId })).nodes.find((node) => node.nodeId === "fn");
      return fn && fn.recordsOut >= n ? fn.recordsOut : undefined;
    },
    `${String(n)} records out of fn`,
    30_000,
  );
}

/** Peeks at e2 every 500 ms for `ms`, as an open panel does, and returns the last answer. */
async function watchFor(flowId: string, watcher: string, ms: number) {
  const until = Date.now() + ms;
  let last = await t.api.peek.edge({ flowId, edgeId: "e2", watcher });
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    last = await t.api.peek.edge({ flowId, edgeId: "e2", watcher });
  }
  return last;
}

function expectSamples(peek: Awaited<ReturnType<typeof t.api.peek.edge>>): void {
  expect(peek.samples).toHaveLength(20);
  const ats = peek.samples.map((s) => s.at);
  expect(ats).toEqual([...ats].sort((a, b) => b - a)); // newest first
  for (const sample of peek.samples) {
    const value = JSON.parse(sample.value) as { seq: number; token: string };
    expect(sample.key).toBe(`k${String(value.seq)}`);
    expect(value.token).toBe("***");
    expect(sample.value).not.toContain(SECRET);
  }
  // The generator emits at most 50/s; on a machine shared with other work it runs slower (timers
  // late, Kafka behind), so the bound below is loose: records are moving, and no faster than sent.
  expect(peek.perSec).toBeGreaterThan(5);
  expect(peek.perSec).toBeLessThan(80);
}

/** Waits until `groupId` has committed at least `offset` on partition 0 of `topic`. */
async function untilCommitted(brokers: string, groupId: string, topic: string, offset: number) {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    await eventually(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const at = Number(committed?.partitions.find((p) => p.partition === 0)?.offset ?? -1);
        return at >= offset ? true : undefined;
      },
      `group ${groupId} committed ${topic} to ${String(offset)}`,
    );
  } finally {
    await admin.disconnect();
  }
}

describe("edge peek", () => {
  beforeAll(async () => {
    await t.api.secrets.set({ name: "PEEK_TOKEN", value: SECRET });
  });

  it("in-process: samples an edge only while watched, newest first, redacted, with its rate", async () => {
    const engine = await startEngine(t.url);
    engines.push(engine);
    const [url = ""] = await liveEngineUrls(1);
    const flowId = await deployRunning(peekFlow("peek in-process", 1));
    const before = await flowed(flowId, 25);
    expect(await watchedOn(url)).toBe(0);

    // Nothing of what crossed before is kept: the first look starts the lease with an empty buffer.
    const first = await t.api.peek.edge({ flowId, edgeId: "e2", watcher: "inproc-watcher-1" });
    expect(first).toMatchObject({ watching: true, produced: true, engines: 1 });
    expect(first.total).toBeLessThanOrEqual(2);
    expect(before).toBeGreaterThanOrEqual(25);
    expect(await watchedOn(url)).toBe(1);

    const watched = await watchFor(flowId, "inproc-watcher-1", 2500);
    expectSamples(watched);
    expect(watched.total).toBeGreaterThan(50);

    // Closing the panel ends the lease at once: the engine samples nothing any more.
    await t.api.peek.stop({ flowId, edgeId: "e2", watcher: "inproc-watcher-1" });
    expect(await watchedOn(url)).toBe(0);

    // A lease nobody renews runs out by itself (asked of the engine directly, with a 1 s lease).
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/peek`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({
          deploymentId: first.deployment?.id,
          edgeId: "e1",
          watcher: "short-lease",
          leaseMs: 1000,
        }),
      });
    expect((await post({})).status).toBe(401); // only the web process may ask
    const direct = await post({ [INTERNAL_KEY_HEADER]: TEST_INTERNAL_KEY });
    expect(direct.status).toBe(200);
    expect(await watchedOn(url)).toBe(1);
    await eventually(
      async () => ((await watchedOn(url)) === 0 ? true : undefined),
      "the lease to run out",
      5000,
    );

    // An edge the running version does not have is a clear error.
    await expect(t.api.peek.edge({ flowId, edgeId: "nope", watcher: "inproc-watcher-1" })).rejects.toThrow(
      /running version v1 has no edge 'nope'/,
    );
    await t.api.deployment.stop({ flowId });
    await engine.stop();
    engines.splice(engines.indexOf(engine), 1);
  });

  it("kafka: merges the samples of two engines running the deployment", async () => {
    const brokers = inject("kafkaBrokers");
    for (const id of ["peek-a", "peek-b"])
      engines.push(await startKafkaEngine(t.url, brokers, `${id}-${randomUUID().slice(0, 6)}`));
    const urls = await liveEngineUrls(2);
    const flowId = await deployRunning(peekFlow("peek kafka", 2));
    await flowed(flowId, 25);
    for (const url of urls) expect(await watchedOn(url)).toBe(0);

    const watched = await watchFor(flowId, "kafka-watcher-1", 3000);
    expect(watched).toMatchObject({ watching: true, produced: true, engines: 2 });
    expectSamples(watched);
    // Both engines run fn (its instances share e1's partitions), so both sample e2.
    for (const url of urls) expect(await watchedOn(url)).toBe(1);

    await t.api.peek.stop({ flowId, edgeId: "e2", watcher: "kafka-watcher-1" });
    for (const url of urls) expect(await watchedOn(url)).toBe(0);
    await t.api.deployment.stop({ flowId });

    // An edge out of a Kafka source has no sender (the next node reads the source's topic
    // itself): it is sampled as that node takes its records, on whichever engines hold partitions.
    const topic = `weir-peek-in-${randomUUID()}`;
    await kcatProduce(brokers, topic, ['before\t{"n":-1}']);
    const direct = await deployRunning({
      name: "peek kafka source",
      nodes: [
        {
          id: "src",
          kind: "source",
          type: "kafka-source",
          config: { brokers: [brokers], topics: [topic], fromBeginning: "earliest" },
        },
        { id: "fn", kind: "function", type: "function", config: { code: "export default (r) => r" } },
        { id: "out", kind: "sink", type: "log", config: { keep: 10 } },
      ],
      edges: [
        { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
        { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
      ],
    });
    await flowed(direct, 1);
    // The source's group reads its topic on both engines, and the second member may join while the
    // first still holds the record from before: that rebalance leaves it uncommitted, and it is read
    // again (at least once) by whoever owns the partition next, perhaps after the panel opened. So
    // the panel opens once the group is stable with both members and has committed that record:
    // from then on nothing moves the partition, and what was read before is not read again.
    // Both members answer the peek although the second engine may still be starting the rest of
    // the flow (its sink joining a group of its own): its fn already takes records.
    const group = `weir-${direct}-src`;
    await untilGroupStable(brokers, group, 2);
    await untilCommitted(brokers, group, topic, 1);
    const opened = await t.api.peek.edge({ flowId: direct, edgeId: "e1", watcher: "kafka-watcher-2" });
    expect(opened).toMatchObject({ watching: true, produced: true, total: 0, engines: 2 });
    await kcatProduce(
      brokers,
      topic,
      Array.from({ length: 50 }, (_, i) => `k${String(i)}\t{"n":${String(i)}}`),
    );
    const seen = await eventually(async () => {
      const peek = await t.api.peek.edge({ flowId: direct, edgeId: "e1", watcher: "kafka-watcher-2" });
      return peek.total >= 50 ? peek : undefined;
    }, "the 50 records produced while watched");
    expect(seen.total).toBe(50); // exactly those: nothing from before the panel opened
    expect(seen.samples).toHaveLength(20);
    for (const sample of seen.samples) expect(sample.key).toMatch(/^k\d+$/);
    await t.api.peek.stop({ flowId: direct, edgeId: "e1", watcher: "kafka-watcher-2" });
    await t.api.deployment.stop({ flowId: direct });
  });
});
