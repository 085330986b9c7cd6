// The flows list's live figures: records/s from the sources of running deployments, records
// dead-lettered in the last minute, and dead letters not yet replayed, per flow.
import { describe, expect, it } from "vitest";
import { demoFlow, useTestApi } from "../../test/db";

const t = useTestApi();

describe("activity.flows", () => {
  it("sums the sources' rates of running deployments and counts recent and waiting dead letters", async () => {
    const { id: flowId } = await t.api.flow.create(demoFlow("busy"));
    const deployment = await t.api.deployment.deploy({ flowId });
    const version = await t.db.flowVersion.findFirstOrThrow({ where: { flowId } });
    // Two engines share the source (Kafka partitions); the function's own rate is not added.
    await t.db.nodeStats.createMany({
      data: [
        { deploymentId: deployment.id, nodeId: "gen", engineId: "a", rate: 12.5 },
        { deploymentId: deployment.id, nodeId: "gen", engineId: "b", rate: 7.5 },
        { deploymentId: deployment.id, nodeId: "double", engineId: "a", rate: 20 },
      ],
    });
    const base = {
      flowId,
      deploymentId: deployment.id,
      flowVersionId: version.id,
      nodeId: "double",
      attempts: 3,
    };
    await t.db.deadLetter.createMany({
      data: [
        { ...base, record: { n: 1 }, error: "boom" },
        { ...base, record: { n: 2 }, error: "boom", createdAt: new Date(Date.now() - 5 * 60_000) },
        { ...base, record: { n: 3 }, error: "boom", replayedAt: new Date() },
      ],
    });
    const { id: quiet } = await t.api.flow.create(demoFlow("quiet"));

    const activity = await t.api.activity.flows();
    expect(activity.find((a) => a.flowId === flowId)).toEqual({
      flowId,
      recordsPerSec: 20,
      failedLastMinute: 2,
      deadLetters: 2,
    });
    expect(activity.some((a) => a.flowId === quiet)).toBe(false);

    await t.api.deployment.stop({ flowId });
    expect((await t.api.activity.flows()).find((a) => a.flowId === flowId)?.recordsPerSec ?? 0).toBe(0);
  });
});
