// Issue 18: the engines page shows the platform's engine alive; the editor shows a banner with
// the reason when a deployment fails to start, and a banner when no engine is alive (the engine
// is paused with SIGSTOP, so its heartbeats stop, and resumed afterwards).
import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { useBrowser } from "./browser";
import { byTestId } from "./editor-actions";

const b = useBrowser();

interface EngineView {
  id: string;
  ingestUrl: string;
  transport: string;
  alive: boolean;
}

/** The pid listening on the engine's ingest port (the engine process itself). */
function enginePid(ingestUrl: string): number {
  const port = new URL(ingestUrl).port;
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`no process listens on port ${port}:\n${out}`);
  return Number(pid);
}

let paused: number | undefined;
afterEach(() => {
  if (paused !== undefined) process.kill(paused, "SIGCONT");
  paused = undefined;
});

const FAILING_INIT = {
  name: "e2e fails to start",
  nodes: [
    {
      id: "gen",
      kind: "source",
      type: "generator",
      position: { x: 40, y: 40 },
      config: { intervalMs: 1000 },
    },
    {
      id: "fn",
      kind: "function",
      type: "function",
      position: { x: 340, y: 40 },
      config: {
        code: "export async function init() {\n  throw new Error('cannot load the model');\n}\nexport default (r) => r;",
      },
    },
    { id: "out", kind: "sink", type: "log", position: { x: 640, y: 40 } },
  ],
  edges: [
    { id: "e1", from: { node: "gen", port: "out" }, to: { node: "fn" } },
    { id: "e2", from: { node: "fn", port: "out" }, to: { node: "out" } },
  ],
};

describe("engines page and banner", () => {
  it("lists the live engine, and the editor says when a deployment failed and when no engine is alive", async () => {
    const page = b.page;
    const [engine] = (await b.api<EngineView[]>("engine.list")).filter((e) => e.alive);
    if (!engine) throw new Error("the platform has no live engine");

    await page.goto(b.url);
    await byTestId(page, "nav-engines").click();
    await page.waitForURL(/\/engines$/);
    const state = byTestId(page, `engine-state-${engine.id}`);
    expect(await state.getAttribute("data-state")).toBe("alive");
    expect(await byTestId(page, `engine-heartbeat-${engine.id}`).textContent()).toMatch(/^\d+ s ago$/);
    // The platform's engine runs the transport its environment names (in-process unless WEIR_TRANSPORT says kafka).
    const expected = process.env.WEIR_TRANSPORT ?? "in-process";
    expect(engine.transport).toBe(expected);
    expect(await byTestId(page, `engine-transport-${engine.id}`).textContent()).toBe(expected);
    // Resident memory from the engine's /metrics: a live Node process holds tens of MiB at least.
    expect(await byTestId(page, `engine-memory-${engine.id}`).textContent()).toMatch(/^\d+\.\d MiB$/);
    await b.shot("engine alive");

    // A deployment whose init throws: the editor names the reason.
    const flow = await b.api<{ id: string }>("flow.create", FAILING_INIT, "POST");
    await page.goto(`${b.url}/flows/${flow.id}`);
    await byTestId(page, "canvas").waitFor();
    expect(await byTestId(page, "engine-banner").count()).toBe(0);
    await byTestId(page, "deploy-button").click();
    const reason = byTestId(page, "engine-banner-reason");
    await reason.waitFor({ timeout: 20_000 });
    expect(await reason.textContent()).toContain("cannot load the model");
    await b.shot("failed deployment banner");
    await byTestId(page, "stop-button").click();
    await byTestId(page, "engine-banner").waitFor({ state: "detached", timeout: 20_000 });

    // No engine alive: paused, it sends no heartbeat; after the 15 s window the banner shows.
    paused = enginePid(engine.ingestUrl);
    process.kill(paused, "SIGSTOP");
    await byTestId(page, "engine-banner-none").waitFor({ timeout: 30_000 });
    await b.shot("no engine banner");
    await page.goto(`${b.url}/engines`);
    expect(await byTestId(page, `engine-state-${engine.id}`).getAttribute("data-state")).toBe("dead");
    expect(await byTestId(page, "engines-alive-count").getAttribute("data-alive")).toBe("0");
    await b.shot("engine not responding");

    process.kill(paused, "SIGCONT");
    paused = undefined;
    await expect
      .poll(() => byTestId(page, `engine-state-${engine.id}`).getAttribute("data-state"), { timeout: 20_000 })
      .toBe("alive");
  });
});
