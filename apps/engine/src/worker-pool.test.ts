// WorkerPool's scheduling on its own: starts run in the background (the engine's loop must not
// wait on Kafka group joins), a few at a time, and a claim's ensure() shares a start under way.
import { describe, expect, it } from "vitest";
import type { Db } from "@weir/db";
import type { FlowRunner } from "./flow/flow-runner";
import { createLogger } from "./logger";
import type { ClaimedDeployment } from "./reconciler";
import { WorkerPool } from "./worker-pool";

const deployment = (n: number): ClaimedDeployment => ({
  id: `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`,
  flowId: `flow-${String(n)}`,
  flowVersionId: `version-${String(n)}`,
});

/** A start that finishes when the test says so. */
interface Gate {
  id: string;
  open(): void;
  fail(error: Error): void;
}

function pool(wanted: ClaimedDeployment[]) {
  const gates: Gate[] = [];
  const stopped: string[] = [];
  const db = { $queryRaw: () => Promise.resolve(wanted) } as unknown as Db;
  const workers = new WorkerPool(
    db,
    (d) =>
      new Promise<FlowRunner>((resolve, reject) => {
        const runner = {
          deployment: { ...d, version: 1 },
          stop: () => Promise.resolve({ drained: true }),
        } as unknown as FlowRunner;
        gates.push({
          id: d.id,
          open: () => {
            resolve(runner);
          },
          fail: reject,
        });
      }),
    (id) => {
      stopped.push(id);
      return Promise.resolve();
    },
    createLogger("test", { quiet: true }),
  );
  return { workers, gates, stopped };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("WorkerPool", () => {
  it("returns from reconcile before its starts finish, and runs at most four at once", async () => {
    const wanted = Array.from({ length: 6 }, (_, i) => deployment(i));
    const { workers, gates } = pool(wanted);
    await workers.reconcile(); // would hang here if it awaited the starts
    expect(gates.map((g) => g.id)).toEqual(wanted.slice(0, 4).map((d) => d.id));
    expect(workers.running.size).toBe(0);

    gates[0]?.open();
    await settle();
    expect(workers.running.has(wanted[0]?.id ?? "")).toBe(true);
    // The freed slot goes to the next one waiting, without another reconcile.
    expect(gates.map((g) => g.id)).toEqual(wanted.slice(0, 5).map((d) => d.id));

    // A reconcile while starts are under way starts none of them twice.
    await workers.reconcile();
    expect(gates).toHaveLength(5);
    for (const gate of gates.slice(1)) gate.open();
    await settle();
    expect(gates).toHaveLength(6);
    gates[5]?.open();
    await settle();
    expect(workers.running.size).toBe(6);
  });

  it("lets ensure() share a start under way and fail with it", async () => {
    const d = deployment(1);
    const { workers, gates } = pool([d]);
    await workers.reconcile();
    expect(gates).toHaveLength(1);
    const ensured = workers.ensure(d);
    await settle();
    expect(gates).toHaveLength(1); // no second start
    gates[0]?.fail(new Error("init failed"));
    await expect(ensured).rejects.toThrow("init failed");
    expect(workers.running.size).toBe(0);
    // A failed start is not tried again at once by the next reconcile.
    await workers.reconcile();
    expect(gates).toHaveLength(1);
  });

  it("stopAll waits for a start under way and stops what it started", async () => {
    const d = deployment(2);
    const { workers, gates, stopped } = pool([d, deployment(3), deployment(4), deployment(5), deployment(6)]);
    await workers.reconcile();
    const stopping = workers.stopAll();
    for (const gate of gates) gate.open();
    await stopping;
    expect(stopped.sort()).toEqual(gates.map((g) => g.id).sort());
    // Nothing queued starts after the pool was stopped.
    expect(gates).toHaveLength(4);
    expect(workers.running.size).toBe(0);
  });
});
