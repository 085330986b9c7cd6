// The setup the Kafka fault tests share (kafka-faults and kafka-exactly-once): engines that are
// stopped after the file, a broker of a describe block's own, a source → function → sink flow,
// two engines in one consumer group, and input that arrives as a stream while a fault lands.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { FlowSpecInput } from "@weir/domain";
import { startKafka } from "@weir/testkit/kafka";
import type { KafkaHandle } from "@weir/testkit/kafka";
import { eventually } from "./engine-process";
import type { EngineProcess } from "./engine-process";
import { createTopic, startKafkaEngine, testAdmin } from "./kafka-engines";
import { inputLines, kcatProduce } from "./kcat";
import type { TestDatabase } from "./test-database";

/** Engines started through `start`, all stopped after the file (their logs printed first if asked). */
export interface FaultEngines {
  start(brokers: string, engineId: string, env?: Record<string, string>): Promise<EngineProcess>;
}

export function useFaultEngines(t: TestDatabase, options: { printLogs?: boolean } = {}): FaultEngines {
  const engines: EngineProcess[] = [];
  afterAll(async () => {
    if (options.printLogs) for (const engine of engines) console.log(engine.output().slice(-6000));
    await Promise.all(engines.map((engine) => engine.stop()));
  });
  return {
    async start(brokers, engineId, env) {
      const engine = await startKafkaEngine(t.url, brokers, engineId, env);
      engines.push(engine);
      return engine;
    },
  };
}

/** A broker started before the tests of the describe block that calls this, and stopped after them. */
export function useOwnBroker(): () => KafkaHandle {
  let kafka: KafkaHandle | undefined;
  beforeAll(async () => {
    kafka = await startKafka();
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  });
  return () => {
    if (!kafka) throw new Error("the broker of this describe block has not started");
    return kafka;
  };
}

export interface FunctionFlowOptions {
  name: string;
  brokers: string;
  input: string;
  output: string;
  groupId: string;
  /** The function node's code. */
  code: string;
  delivery?: FlowSpecInput["delivery"];
  /** More of the function node's config (its time limit, say). */
  fnConfig?: Record<string, unknown>;
}

/** kafka-source (`input`, from the earliest offset) → function → kafka-sink (`output`). */
export function functionFlow(options: FunctionFlowOptions): FlowSpecInput {
  const { brokers, input, output, groupId } = options;
  return {
    name: options.name,
    ...(options.delivery ? { delivery: options.delivery } : {}),
    nodes: [
      {
        id: "src",
        kind: "source",
        type: "kafka-source",
        config: { brokers: [brokers], topics: [input], fromBeginning: "earliest", groupId },
      },
      { id: "fn", kind: "function", type: "function", config: { ...options.fnConfig, code: options.code } },
      { id: "out", kind: "sink", type: "kafka-sink", config: { brokers: [brokers], topic: output } },
    ],
    edges: [
      { id: "e1", from: { node: "src", port: "out" }, to: { node: "fn" } },
      { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
    ],
  };
}

/**
 * Code that spends `busyMs` per record before `body`: it keeps records in flight (taken, not yet
 * committed) while the stream runs, so a fault lands on some of them.
 */
export function busyFunction(busyMs: number, body: string, isAsync = false): string {
  return `export default ${isAsync ? "async " : ""}(r, ctx) => {
  const until = Date.now() + ${String(busyMs)};
  while (Date.now() < until) { /* working */ }
${body}
}`;
}

/** One engine, an input topic of 2 partitions, the name of an output topic and of a consumer group. */
export async function oneEngine(
  engines: FaultEngines,
  brokers: string,
  options: { engine: string; groupPrefix: string; env?: Record<string, string> },
): Promise<{ engine: EngineProcess; input: string; output: string; groupId: string }> {
  const input = `weir-in-${randomUUID()}`;
  const output = `weir-out-${randomUUID()}`;
  await createTopic(brokers, input, 2);
  const engine = await engines.start(brokers, `${options.engine}-${randomUUID().slice(0, 6)}`, options.env);
  return { engine, input, output, groupId: `${options.groupPrefix}-${randomUUID()}` };
}

/** Waits until the group has `members` members and is not rebalancing. */
export async function untilGroupStable(brokers: string, groupId: string, members: number): Promise<void> {
  const admin = testAdmin(brokers);
  await admin.connect();
  try {
    await eventually(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        return group?.state === "Stable" && group.members.length === members ? true : undefined;
      },
      `consumer group ${groupId} stable with ${String(members)} member(s)`,
      60_000,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Produces `lines` as a stream: 200 records every 150 ms. */
export function streamInput(
  brokers: string,
  topic: string,
  lines: readonly string[],
): { done: Promise<void>; produced: () => number } {
  let produced = 0;
  const done = (async () => {
    for (; produced < lines.length; produced += 200) {
      await kcatProduce(brokers, topic, lines.slice(produced, produced + 200));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  return { done, produced: () => produced };
}

/** Waits until the engine whose id starts with `enginePrefix` has taken records into node "fn". */
export async function untilEngineProcessing(
  t: TestDatabase,
  deploymentId: string,
  enginePrefix: string,
): Promise<void> {
  await eventually(
    async () => {
      const rows = await t.db.nodeStats.findMany({ where: { deploymentId, nodeId: "fn" } });
      const row = rows.find((r) => r.engineId.startsWith(enginePrefix));
      return row && row.recordsIn > 0n ? row : undefined;
    },
    `engine ${enginePrefix} processing records`,
    60_000,
  );
}

export interface TwoEngineRun {
  /** The engine the fault lands on (its id starts with the `faulty` prefix). */
  faulty: EngineProcess;
  survivor: EngineProcess;
  flowId: string;
  groupId: string;
  input: string;
  output: string;
  /** When both engines had started. */
  started: number;
  /** The engines' output lengths once both had joined the group: what they logged after is the fault's. */
  logFrom: { faulty: number; survivor: number };
  /** The input, arriving as a stream of `total` records while the fault lands. */
  producing: { done: Promise<void>; produced: () => number };
}

/**
 * A function flow deployed on two engines (both members of its group before any input), an input
 * topic of 4 partitions streamed `total` records, and a wait until the `faulty` engine is
 * processing records of its own while input is still arriving: the moment to strike.
 */
export async function twoEnginesMidStream(
  t: TestDatabase,
  engines: FaultEngines,
  options: {
    brokers: string;
    total: number;
    faulty: string;
    groupPrefix: string;
    flow: (topics: { input: string; output: string; groupId: string }) => FlowSpecInput;
  },
): Promise<TwoEngineRun> {
  const { brokers, total } = options;
  const input = `weir-in-${randomUUID()}`;
  const output = `weir-out-${randomUUID()}`;
  await createTopic(brokers, input, 4);
  // One after the other: two engines starting at once on a busy 2-core machine can take 30 s.
  const faulty = await engines.start(brokers, `${options.faulty}-${randomUUID().slice(0, 6)}`);
  const survivor = await engines.start(brokers, `survivor-${randomUUID().slice(0, 6)}`);
  const started = Date.now();
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const flow = await t.api.flow.create(options.flow({ input, output, groupId }));
  const deployment = await t.api.deployment.deploy({ flowId: flow.id });
  // Both members in before the stream starts, so the fault is the only event that moves partitions.
  await untilGroupStable(brokers, groupId, 2);
  const logFrom = { faulty: faulty.output().length, survivor: survivor.output().length };
  const lines = inputLines(total, 64).map((r) => r.line);
  const producing = streamInput(brokers, input, lines);
  await untilEngineProcessing(t, deployment.id, `${options.faulty}-`);
  return { faulty, survivor, flowId: flow.id, groupId, input, output, started, logFrom, producing };
}
