// `npm run bench:editor` at the root (issue #11, part C): does the editor stay responsive with a
// 200-node flow? Starts the platform as the browser tests do (needs `next build` first), makes a
// 200-node flow and, as the baseline in the same run, a 20-node one, and measures in headless
// Chromium for each, alternating, BENCH_RUNS times (5 by default):
//   - render: from navigation start to every node of the flow on the canvas (performance.now()
//     in the page when the last node is in the DOM);
//   - drag: the time between animation frames while a node is dragged across the canvas with
//     the mouse (60 moves), from requestAnimationFrame timestamps in the page — the frame times a
//     performance trace shows; median and p95 per run.
// Prints the medians of the runs and the 200-node / 20-node ratios. Not part of `npm test`.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { chromium } from "playwright-core";
import { E2E_ADMIN, signedInState } from "../test/e2e/sign-in";
import { freePorts, startPlatform } from "../test/support/platform";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = [20, 200] as const;
const PER_ROW = 10;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/** A generator, n-2 functions and a log sink in rows of PER_ROW, each joined to the next. */
function largeFlow(n: number): unknown {
  const nodes = Array.from({ length: n }, (_, i) => {
    const position = { x: (i % PER_ROW) * 260, y: Math.floor(i / PER_ROW) * 160 };
    if (i === 0) return { id: "n0", kind: "source", type: "generator", position };
    if (i === n - 1) return { id: `n${String(i)}`, kind: "sink", type: "log", position };
    return {
      id: `n${String(i)}`,
      kind: "function",
      type: "function",
      position,
      config: { language: "javascript", code: "export default (r) => r" },
    };
  });
  const edges = Array.from({ length: n - 1 }, (_, i) => ({
    id: `e${String(i)}`,
    from: { node: `n${String(i)}`, port: "out" },
    to: { node: `n${String(i + 1)}` },
  }));
  return { name: `bench ${String(n)} nodes`, nodes, edges };
}

async function measure(
  page: Page,
  url: string,
  n: number,
): Promise<{ renderMs: number; frames: number[]; movedBy: number }> {
  await page.goto(url);
  const handle = await page.waitForFunction(
    (count) => (document.querySelectorAll(".react-flow__node").length >= count ? performance.now() : false),
    n,
    { polling: "raf", timeout: 60_000 },
  );
  const renderMs = (await handle.jsonValue()) as number;
  // Drag the node nearest the canvas's middle, recording every animation frame meanwhile.
  const canvas = await page.locator('[data-testid="canvas"]').boundingBox();
  if (!canvas) throw new Error("no canvas");
  const target = await page.evaluate(
    ({ x, y }) => {
      let best: { id: string; x: number; y: number; d: number } | null = null;
      for (const el of document.querySelectorAll(".react-flow__node")) {
        const r = el.getBoundingClientRect();
        const cx = r.left + r.width / 2;
        const cy = r.top + 12;
        const d = (cx - x) ** 2 + (cy - y) ** 2;
        if (!best || d < best.d) best = { id: el.getAttribute("data-id") ?? "", x: cx, y: cy, d };
      }
      return best;
    },
    { x: canvas.x + canvas.width / 2, y: canvas.y + canvas.height / 3 },
  );
  if (!target) throw new Error("no node to drag");
  // A string, so the bundler's helpers (tsx names inner functions) do not leak into the page.
  await page.evaluate(`(() => {
    window.frameTimes = [];
    window.recording = true;
    requestAnimationFrame(function tick(t) {
      window.frameTimes.push(t);
      if (window.recording) requestAnimationFrame(tick);
    });
  })()`);
  await page.mouse.move(target.x, target.y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(target.x + i * 3, target.y + Math.sin(i / 6) * 40);
  }
  await page.mouse.up();
  // The drag must have moved the node, or the frames measured nothing.
  const movedBy = await page.evaluate(
    ({ id, x }) => {
      const el = document.querySelector(`.react-flow__node[data-id="${id}"]`);
      const r = el?.getBoundingClientRect();
      return r ? r.left + r.width / 2 - x : 0;
    },
    { id: target.id, x: target.x },
  );
  if (movedBy < 100)
    throw new Error(`dragging node ${target.id} moved it ${movedBy.toFixed(0)} px, not ~180`);
  const times = await page.evaluate(() => {
    const w = window as unknown as { frameTimes: number[]; recording: boolean };
    w.recording = false;
    return w.frameTimes;
  });
  const frames = times.slice(1).map((t, i) => t - (times[i] ?? t));
  return { renderMs, frames, movedBy };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "weir-bench-editor-"));
  await chmod(dataDir, 0o755);
  const ports = await freePorts();
  const platform = await startPlatform({ dataDir, ports });
  const url = `http://127.0.0.1:${String(ports.web)}`;
  const browser = await chromium.launch({
    executablePath: process.env.WEIR_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const setup = await fetch(`${url}/api/trpc/account.setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(E2E_ADMIN),
    });
    if (!setup.ok) throw new Error(`account.setup: ${String(setup.status)} ${await setup.text()}`);
    const storageState = await signedInState(url, E2E_ADMIN);
    const flows = new Map<number, string>();
    for (const n of SIZES) {
      const res = await fetch(`${url}/api/trpc/flow.create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${platform.token()}` },
        body: JSON.stringify(largeFlow(n)),
      });
      const body = (await res.json()) as { result?: { data: { id: string } }; error?: { message: string } };
      if (!body.result)
        throw new Error(`flow.create (${String(n)} nodes): ${body.error?.message ?? res.status}`);
      flows.set(n, body.result.data.id);
    }
    const results = new Map<number, { render: number[]; frameMedian: number[]; frameP95: number[] }>(
      SIZES.map((n) => [n, { render: [], frameMedian: [], frameP95: [] }]),
    );
    for (let run = 0; run < RUNS; run++) {
      for (const n of SIZES) {
        const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, storageState });
        const page = await context.newPage();
        const { renderMs, frames, movedBy } = await measure(page, `${url}/flows/${flows.get(n) ?? ""}`, n);
        await context.close();
        const r = results.get(n);
        r?.render.push(renderMs);
        r?.frameMedian.push(median(frames));
        r?.frameP95.push(percentile(frames, 95));
        process.stdout.write(
          `run ${String(run + 1)} ${String(n).padStart(3)} nodes: render ${renderMs.toFixed(0)} ms, drag frames median ${median(frames).toFixed(1)} ms p95 ${percentile(frames, 95).toFixed(1)} ms (${String(frames.length)} frames, node moved ${movedBy.toFixed(0)} px)\n`,
        );
      }
    }
    const base = results.get(SIZES[0]);
    const big = results.get(SIZES[1]);
    if (!base || !big) return;
    const row = (name: string, a: number[], b: number[]): string =>
      `${name.padEnd(24)} ${median(a).toFixed(1).padStart(10)} ${median(b).toFixed(1).padStart(10)} ${(median(b) / median(a)).toFixed(2).padStart(8)}`;
    console.log(`\nmedians of ${String(RUNS)} runs          20 nodes  200 nodes    ratio`);
    console.log(row("render (ms)", base.render, big.render));
    console.log(row("drag frame median (ms)", base.frameMedian, big.frameMedian));
    console.log(row("drag frame p95 (ms)", base.frameP95, big.frameP95));
  } finally {
    await browser.close();
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
