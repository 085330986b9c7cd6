// The replay poll runs twice a second on every engine, so what it reads must not grow with the
// dead letters a flow has collected, and rows waiting for flows that run nowhere must not keep
// the rows of running flows from being replayed.
import { randomUUID } from "node:crypto";
import type { WeirRecord } from "@weir/domain";
import { expect, it } from "vitest";
import type { FlowRunner } from "./flow/flow-runner";
import { createLogger } from "./logger";
import { ReplayPoller } from "./replay-poller";
import { eventually } from "../test/engine-process";
import { useTestDatabase } from "../test/test-database";

const t = useTestDatabase();

/** Stands in for a deployed flow: what the poller needs of one, and the records it was handed. */
function runnerOf(flowId: string): { runner: FlowRunner; replayed: WeirRecord[] } {
  const replayed: WeirRecord[] = [];
  const runner = {
    deployment: { flowId },
    accepts: (nodeId: string) => nodeId === "fn",
    replay: (_nodeId: string, records: readonly WeirRecord[]) => {
      replayed.push(...records);
      return Promise.resolve();
    },
  } as unknown as FlowRunner;
  return { runner, replayed };
}

/** `count` dead letters of `flowId`'s node `fn`, `waiting` of them (the last ones) asking for a replay. */
async function deadLetters(flowId: string, count: number, waiting: number): Promise<void> {
  const other = randomUUID();
  await t.db.$executeRaw`
    INSERT INTO dead_letters (flow_id, deployment_id, flow_version_id, node_id, record, error, attempts,
                              replay_requested_at)
    SELECT ${flowId}::uuid, ${other}::uuid, ${other}::uuid, 'fn',
           jsonb_build_object('key', 'k' || g, 'value', jsonb_build_object('n', g), 'timestamp', 1), 'boom', 1,
           CASE WHEN g > ${count - waiting} THEN now() END
    FROM generate_series(1, ${count}) g`;
}

it("replays the waiting rows of running flows, however many rows of flows running nowhere wait", async () => {
  const running = randomUUID();
  await deadLetters(randomUUID(), 1_500, 1_500);
  await deadLetters(running, 10, 2);
  const { runner, replayed } = runnerOf(running);
  const poller = new ReplayPoller(t.db, createLogger("test", { quiet: true }));

  await poller.poll(new Map([["deployment", runner]]));

  const keys = await eventually(
    () => Promise.resolve(replayed.length >= 2 ? replayed.map((record) => record.key).sort() : undefined),
    "the running flow's two waiting records to be replayed",
  );
  expect(keys).toEqual(["k10", "k9"]);
  await eventually(async () => {
    const left = await t.db.deadLetter.count({
      where: { flowId: running, replayRequestedAt: { not: null }, replayedAt: null },
    });
    return left === 0 ? left : undefined;
  }, "the replayed rows to be marked replayed");
  expect(replayed).toHaveLength(2);
});

it("finds the waiting rows through the partial index, not by reading every dead letter", async () => {
  const flows = Array.from({ length: 20 }, () => randomUUID());
  for (const flowId of flows) await deadLetters(flowId, 2_000, 1);
  await t.db.$executeRaw`ANALYZE dead_letters`;
  const plans = [
    await t.db.$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN
      SELECT DISTINCT flow_id FROM dead_letters WHERE replay_requested_at IS NOT NULL AND replayed_at IS NULL`,
    await t.db.$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN
      SELECT id FROM dead_letters WHERE flow_id = ANY(${flows}::uuid[])
        AND replay_requested_at IS NOT NULL AND replayed_at IS NULL ORDER BY id LIMIT 1000`,
  ].map((rows) => rows.map((row) => row["QUERY PLAN"]).join("\n"));
  for (const plan of plans) {
    expect(plan).toContain("dead_letters_replay_pending_idx");
    expect(plan).not.toContain("Seq Scan");
  }
});
