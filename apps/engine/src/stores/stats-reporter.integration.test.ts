// The stats flush on real Postgres (issue 15, density): idle nodes cost no write per tick.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "../../test/test-database";
import { STATS_REFRESH_MS, StatsReporter } from "./stats-reporter";

const t = useTestDatabase();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("StatsReporter", () => {
  it("writes a node's row only when its figures changed, refreshes an unchanged one after STATS_REFRESH_MS, and writes all on a deployment's final flush", async () => {
    const engineId = `engine-${randomUUID()}`;
    const deploymentId = randomUUID();
    const stats = new StatsReporter(t.db, engineId);
    const busy = stats.counter(deploymentId, "busy", "in");
    stats.counter(deploymentId, "idle", "in");
    const written = async (nodeId: string): Promise<{ at: number; recordsIn: number }> => {
      const row = await t.db.nodeStats.findFirstOrThrow({ where: { deploymentId, nodeId, engineId } });
      return { at: row.updatedAt.getTime(), recordsIn: Number(row.recordsIn) };
    };
    let now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => now);

    await stats.flush();
    const idleFirst = await written("idle");
    const busyFirst = await written("busy");

    now += 1000;
    busy.recordsIn += 5;
    await stats.flush();
    expect(await written("idle")).toEqual(idleFirst);
    expect(await written("busy")).toEqual({ at: busyFirst.at + 1000, recordsIn: 5 });

    // Nothing new: the busy node's rate fell to 0, which is written once; then neither is written.
    now += 1000;
    await stats.flush();
    expect((await written("busy")).at).toBe(busyFirst.at + 2000);
    now += 1000;
    await stats.flush();
    expect((await written("busy")).at).toBe(busyFirst.at + 2000);
    expect(await written("idle")).toEqual(idleFirst);

    // Unchanged rows are kept live before the API's liveness window (15 s) lets them lapse, by
    // moving only their time: a figure changed behind the reporter's back stays as it is.
    await t.db.nodeStats.updateMany({
      where: { deploymentId, nodeId: "idle", engineId },
      data: { recordsIn: 42 },
    });
    now = idleFirst.at + STATS_REFRESH_MS;
    await stats.flush();
    expect(await written("idle")).toEqual({ at: now, recordsIn: 42 });

    // A deployment's final flush writes every row of it, changed or not.
    now += 1000;
    await stats.flush(deploymentId);
    expect((await written("idle")).at).toBe(now);
    expect((await written("busy")).at).toBe(now);
  });
});
