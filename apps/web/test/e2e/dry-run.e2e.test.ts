// Issue #11, part B: run the whole flow on sample records without deploying it. A 4-node flow
// with two ports (generator → a function routing to "big" and "small" → two log sinks): the
// sample records are typed key by key, Run is pressed, every edge shows how many records crossed
// it, clicking an edge lists them, the function shows its logs and the record it failed on, each
// sink what it would have written; nothing was deployed and no sink wrote anything.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId, clickEdge, typeCode, typeInto } from "./editor-actions";

const b = useBrowser();

const ROUTE = `export default (r, ctx) => {
  ctx.log.info("routing " + r.value.n);
  if (r.value.n < 0) throw new Error("negative " + r.value.n);
  ctx.emit(r.value.n > 10 ? "big" : "small", r);
};`;

/** gen → router (big, small) → two log sinks, created through the API (setup, not the subject). */
function createRoutingFlow(name: string): Promise<{ id: string }> {
  return b.api<{ id: string }>(
    "flow.create",
    {
      name,
      nodes: [
        { id: "gen", kind: "source", type: "generator", position: { x: 0, y: 120 } },
        {
          id: "route",
          kind: "function",
          type: "function",
          name: "router",
          position: { x: 270, y: 120 },
          outputs: ["big", "small"],
          config: { language: "javascript", code: ROUTE },
        },
        { id: "bigSink", kind: "sink", type: "log", name: "big sink", position: { x: 540, y: 0 } },
        { id: "smallSink", kind: "sink", type: "log", name: "small sink", position: { x: 540, y: 240 } },
      ],
      edges: [
        { id: "in", from: { node: "gen", port: "out" }, to: { node: "route" } },
        { id: "big", from: { node: "route", port: "big" }, to: { node: "bigSink" } },
        { id: "small", from: { node: "route", port: "small" }, to: { node: "smallSink" } },
      ],
    },
    "POST",
  );
}

/** Opens the flow, types three sample records (5, 50, -1) key by key and runs the whole flow. */
async function runOnThreeRecords(flowId: string): Promise<typeof b.page> {
  const page = b.page;
  await page.goto(`${b.url}/flows/${flowId}`);
  await byTestId(page, "canvas").waitFor();
  await byTestId(page, "tab-dry-run").click();
  await typeInto(page, "dry-run-input", '[{"value": {"n": 5}}, {"value": {"n": 50}}, {"value": {"n": -1}}]');
  await byTestId(page, "dry-run-run").click();
  await byTestId(page, "dry-run-result").waitFor({ timeout: 20_000 });
  return page;
}

describe("dry run of a whole flow", () => {
  it("shows the records on each edge, the function's logs and failures and what the sinks would write", async () => {
    const { id: flowId } = await createRoutingFlow("e2e dry run");
    const page = await runOnThreeRecords(flowId);

    // Every edge on the canvas says how many records crossed it.
    expect(await byTestId(page, "edge-in-dry-run").textContent()).toBe("3 rec");
    expect(await byTestId(page, "edge-big-dry-run").textContent()).toBe("1 rec");
    expect(await byTestId(page, "edge-small-dry-run").textContent()).toBe("1 rec");
    // The function's logs (every record) and the record it failed on.
    const router = (await byTestId(page, "dry-run-node-route").textContent()) ?? "";
    for (const n of [5, 50, -1]) expect(router).toContain(`routing ${String(n)}`);
    expect(await byTestId(page, "dry-run-error-route").textContent()).toMatch(/record 2.*negative -1/);
    // What each sink would have written.
    expect(await byTestId(page, "dry-run-sink-bigSink").textContent()).toBe('{"n":50}');
    expect(await byTestId(page, "dry-run-sink-smallSink").textContent()).toBe('{"n":5}');
    await b.shot("dry run");

    // Click an edge on the canvas (all of it in view first): its records.
    await byTestId(page, "fit-view-button").click();
    await clickEdge(page, "big");
    await expect
      .poll(() => byTestId(page, "dry-run-edge-name").textContent())
      .toContain("router › big → big sink");
    expect(await byTestId(page, "dry-run-edge-records").textContent()).toBe('{"n":50}');
    await b.shot("records on the big edge");
    await clickEdge(page, "in");
    await expect
      .poll(() => byTestId(page, "dry-run-edge-records").textContent())
      .toBe('{"n":5}\n{"n":50}\n{"n":-1}');

    // Nothing was deployed and no sink wrote a record.
    expect(await b.api("deployment.status", { flowId })).toBeNull();
    for (const nodeId of ["bigSink", "smallSink"])
      expect(await b.api<unknown[]>("logs.read", { flowId, nodeId })).toEqual([]);
  });

  it("saves a run as a test case of the flow, runs it (PASS), and after a code change shows the diff (FAIL)", async () => {
    const { id: flowId } = await createRoutingFlow("e2e flow tests");
    const page = await runOnThreeRecords(flowId);

    await typeInto(page, "flow-test-name", "routes by size");
    await byTestId(page, "flow-test-save").click();
    await expect.poll(() => byTestId(page, "flow-test").count()).toBe(1);
    await byTestId(page, "flow-tests-run").click();
    await expect
      .poll(() => byTestId(page, "flow-tests-summary").textContent())
      .toContain("1 passed, 0 failed");
    expect(await byTestId(page, "flow-test-outcome").textContent()).toBe("PASS");

    // Saved with the flow: the next version carries the case as `weir test` reads it.
    await typeInto(page, "save-message", "a test case");
    await byTestId(page, "save-button").click();
    await expect
      .poll(async () => (await b.api<{ version: number }>("flow.get", { id: flowId })).version)
      .toBe(2);
    const saved = await b.api<{ spec: { tests?: unknown[] } }>("flow.get", { id: flowId });
    expect(saved.spec.tests).toEqual([
      {
        name: "routes by size",
        input: { gen: [{ value: { n: 5 } }, { value: { n: 50 } }, { value: { n: -1 } }] },
        expect: { bigSink: [{ value: { n: 50 } }], smallSink: [{ value: { n: 5 } }] },
        match: "exact",
        order: "strict",
        deadLetters: [{ node: "route", message: expect.stringContaining("negative -1") as string }],
      },
    ]);

    // Change the threshold in the code (typed) and run the case again: the diff names the sinks.
    await byTestId(page, "node-route").click();
    await typeCode(page, ROUTE.replace("> 10", "> 100"));
    await byTestId(page, "tab-dry-run").click();
    await byTestId(page, "flow-tests-run").click();
    await expect
      .poll(() => byTestId(page, "flow-tests-summary").textContent())
      .toContain("0 passed, 1 failed");
    const diff = (await byTestId(page, "flow-test-diff").textContent()) ?? "";
    expect(diff).toContain("sink bigSink: expected 1 record(s), got 0 (exact match)");
    expect(diff).toContain('  - {"value":{"n":50}}');
    expect(diff).toContain("sink smallSink: expected 1 record(s), got 2 (exact match)");
    await b.shot("flow test case failing with its diff");
  });
});
