// Faults on the Kafka transport: an engine SIGKILLed mid-stream, a broker restarted mid-stream
// and a broker frozen (SIGSTOP) for longer than the session timeout. No input record may be
// missing from the output, and the duplicates stay within the bound the README states: at most
// MAX_UNCOMMITTED records per member that dies or rejoins its group (the engines log each join),
// and at most one produce request per write sent again after a broker fault (they log those too).
import { describe, expect, inject, it } from "vitest";
// Brings in the ProvidedContext augmentation that types inject("kafkaBrokers").
import type {} from "@weir/testkit/kafka-setup";
import { eventually } from "../test/engine-process";
import type { EngineProcess } from "../test/engine-process";
import {
  busyFunction,
  functionFlow,
  oneEngine,
  twoEnginesMidStream,
  useFaultEngines,
  useOwnBroker,
} from "../test/kafka-faults";
import { inputLines, kcatConsume, kcatProduce } from "../test/kcat";
import { useTestDatabase } from "../test/test-database";
import { MAX_UNCOMMITTED } from "./transport/kafka/kafka-input";
import { MESSAGES_PER_REQUEST } from "./transport/kafka/topic-writer";

const t = useTestDatabase();
const engines = useFaultEngines(t);

/** Passes each record on, spending `busyMs` on it (kafka-input.integration.test.ts pins the commit rule exactly). */
function passThrough(
  name: string,
  brokers: string,
  input: string,
  output: string,
  groupId: string,
  busyMs = 0,
) {
  const code = busyFunction(busyMs, '  return { key: r.key, value: { n: r.value.n, by: "weir" } };');
  return functionFlow({ name, brokers, input, output, groupId, code });
}

/** How often each n appeared on the output topic. */
async function countsOn(brokers: string, topic: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const { value } of await kcatConsume(brokers, topic).catch(() => [])) {
    const n = (value as { n: number }).n;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

async function untilAllSeen(brokers: string, topic: string, total: number, timeoutMs: number) {
  return eventually(
    async () => {
      const counts = await countsOn(brokers, topic);
      return counts.size >= total ? counts : undefined;
    },
    `all ${String(total)} records on ${topic}`,
    timeoutMs,
  );
}

/**
 * What an engine logged since `from` (a length of its output) about the fault's effects: the
 * times its member of `groupId` joined the group, and the produce requests it sent again.
 */
function effectsSince(
  engine: EngineProcess,
  groupId: string,
  from: number,
): { joins: number; retries: number } {
  const log = engine.output().slice(from);
  let retries = 0;
  for (const match of log.matchAll(/delivered after (\d+) attempts/g)) retries += Number(match[1]) - 1;
  return { joins: log.split(`joined consumer group ${groupId} (`).length - 1, retries };
}

/**
 * The at-least-once bound the README states: at most the fetch-ahead window for each member
 * that died or rejoined its group, and at most one produce request for each one sent again
 * after a broker fault (its first attempt may have landed unacknowledged).
 */
function duplicateBound(membersLostOrRejoined: number, retries: number): number {
  return MAX_UNCOMMITTED * membersLostOrRejoined + MESSAGES_PER_REQUEST * retries;
}

function duplicatesOf(counts: Map<number, number>): number {
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return duplicates;
}

describe("transport=kafka under faults", () => {
  it("loses nothing when one of two engines is SIGKILLed mid-stream", async () => {
    const brokers = inject("kafkaBrokers");
    const total = 10_000;
    // The input arrives as a stream (200 records every 150 ms, about 10 s), and the victim is
    // killed once it has processed records of its own while input is still arriving.
    const run = await twoEnginesMidStream(t, engines, {
      brokers,
      total,
      faulty: "victim",
      groupPrefix: "weir-fault",
      flow: ({ input, output, groupId }) => passThrough("sigkill", brokers, input, output, groupId, 1),
    });
    const { faulty: first, survivor: second, groupId, output, started, logFrom } = run;
    const producedAtKill = run.producing.produced();
    await first.kill();
    expect(producedAtKill).toBeLessThan(total);
    await run.producing.done;

    const counts = await untilAllSeen(brokers, output, total, 90_000);
    const missing = [...Array(total).keys()].filter((n) => !counts.has(n));
    expect(missing).toEqual([]);
    const duplicates = duplicatesOf(counts);
    // The victim's member leaves at most its window uncommitted; the survivor's member rejoins
    // (to take the victim's partitions) and re-reads at most its own window each time.
    const victim = effectsSince(first, groupId, logFrom.faulty);
    const survivor = effectsSince(second, groupId, logFrom.survivor);
    expect(survivor.joins).toBeGreaterThanOrEqual(1);
    const bound = duplicateBound(1 + victim.joins + survivor.joins, victim.retries + survivor.retries);
    console.log(
      `SIGKILL fault test: ${String(total)} input records, one engine killed after ${String(producedAtKill)} were produced; ` +
        `all ${String(counts.size)} in the output, ${String(duplicates)} duplicate(s) (bound ${String(bound)}: ` +
        `the victim, ${String(victim.joins + survivor.joins)} rejoin(s), ${String(victim.retries + survivor.retries)} produce retries), ` +
        `${String(Math.round((Date.now() - started) / 1000))} s`,
    );
    expect(duplicates).toBeLessThanOrEqual(bound);
    expect(second.child.exitCode).toBeNull();
    await t.api.deployment.stop({ flowId: run.flowId });
  }, 240_000);

  describe("with a broker of its own", () => {
    const kafka = useOwnBroker();

    it("resumes after the broker restarts mid-stream, without losing records", async () => {
      const started = Date.now();
      const run = await throughBrokerFault("restart", {}, () => kafka().restart(2_000));
      // One member: each rejoin re-reads at most its window, each retried produce at most a request.
      console.log(
        `broker restart test: all ${String(run.total)} records through, ${String(run.duplicates)} duplicate(s) ` +
          `(bound ${String(run.bound)}: ${String(run.effects.joins)} rejoin(s), ${String(run.effects.retries)} produce retries), ` +
          `${String(Math.round((Date.now() - started) / 1000))} s`,
      );
      expect(run.duplicates).toBeLessThanOrEqual(run.bound);
      expect(run.engine.child.exitCode).toBeNull();
      await t.api.deployment.stop({ flowId: run.flowId });
    }, 240_000);

    it("recovers from a broker frozen for longer than the session timeout, without losing records", async () => {
      const started = Date.now();
      const sessionTimeoutMs = 6_000;
      // Every connection stays open and nothing answers: the engine's requests and heartbeats
      // hang, and when the broker goes on the member's session is past its timeout.
      const run = await throughBrokerFault(
        "stall",
        { WEIR_KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs) },
        () => kafka().pause(sessionTimeoutMs + 2_000),
      );
      // One member. Its session is past its timeout when the broker goes on, but whether the
      // broker expires it depends on which it handles first, its expiry timer or the member's
      // heartbeat waiting in the socket (seen both ways): so it rejoins zero or more times, and
      // re-reads at most its window each time (counted as one rejoin at least, as its session
      // could have lapsed); each retried produce may repeat at most a request.
      const bound = duplicateBound(Math.max(1, run.effects.joins), run.effects.retries);
      console.log(
        `broker stall test: all ${String(run.total)} records through, ${String(run.duplicates)} duplicate(s) ` +
          `(bound ${String(bound)}: ${String(run.effects.joins)} rejoin(s), ${String(run.effects.retries)} produce retries), ` +
          `${String(Math.round((Date.now() - started) / 1000))} s`,
      );
      expect(run.duplicates).toBeLessThanOrEqual(bound);
      expect(run.engine.child.exitCode).toBeNull();
      const status = await t.api.deployment.status({ flowId: run.flowId });
      expect(status?.actualState).toBe("running");
      await t.api.deployment.stop({ flowId: run.flowId });
    }, 240_000);

    /**
     * One engine on this block's broker passes half the input through, `fault` strikes, the other
     * half is produced, and every record must come out: what came out, and the bound on repeats.
     */
    async function throughBrokerFault(name: string, env: Record<string, string>, fault: () => Promise<void>) {
      const brokers = kafka().brokers;
      const total = 4_000;
      const { engine, input, output, groupId } = await oneEngine(engines, brokers, {
        engine: name,
        groupPrefix: "weir-fault",
        env,
      });
      const lines = inputLines(total, 16).map((r) => r.line);
      await kcatProduce(brokers, input, lines.slice(0, total / 2));
      const flow = await t.api.flow.create(passThrough(`broker ${name}`, brokers, input, output, groupId));
      await t.api.deployment.deploy({ flowId: flow.id });
      await eventually(
        async () => ((await countsOn(brokers, output)).size > 0 ? true : undefined),
        "the first records through",
        40_000,
      );

      const logFrom = engine.output().length;
      await fault();
      await kcatProduce(brokers, input, lines.slice(total / 2));

      const counts = await untilAllSeen(brokers, output, total, 120_000);
      expect([...Array(total).keys()].filter((n) => !counts.has(n))).toEqual([]);
      const effects = effectsSince(engine, groupId, logFrom);
      const bound = duplicateBound(effects.joins, effects.retries);
      return { engine, flowId: flow.id, total, duplicates: duplicatesOf(counts), effects, bound };
    }
  });
});
