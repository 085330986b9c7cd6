import { afterEach, describe, expect, it } from "vitest";
import { compileForRun } from "@weir/function-contract";
import { encodeBatchWithByteParts } from "@weir/function-contract/guest";
import { Sandbox } from "./sandbox";

// Where a batch runs (the engine's thread or isolated-vm's pool) is invisible through the
// runtime's interface; Sandbox.call shows it: a string on the thread, a promise off it.

const open: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of open.splice(0)) sandbox.dispose();
});

/** A loaded sandbox running `code` that chooses where batches run by how long they take. */
async function adaptiveSandbox(code: string): Promise<Sandbox> {
  const limits = { ports: ["out"], timeoutMs: 1_000, memoryLimitMb: 32 };
  const sandbox = await Sandbox.create({
    js: compileForRun({ code, language: "typescript" }).js,
    params: {},
    secrets: {},
    ...limits,
    log: () => undefined,
    getState: () => Promise.resolve(undefined),
    batchesOnThread: "adaptive",
  });
  open.push(sandbox);
  const loaded = await sandbox.load();
  expect(loaded.ok).toBe(true);
  return sandbox;
}

const batch = (value: number) => encodeBatchWithByteParts([{ key: null, value, headers: {}, timestamp: 0 }]);

/** Keeps this thread busy, as many flows sharing an engine do. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("Sandbox batches on the engine's thread", () => {
  it("moves a quick function's batches onto the thread even when the event loop answered its first calls late", async () => {
    const sandbox = await adaptiveSandbox("export default (r: any) => ({ value: r.value });");
    // The first calls run off the thread; each answer waits 5 ms for the busy event loop,
    // far longer than the function ran.
    for (let i = 0; i < 3; i++) {
      const { text, parts } = batch(i);
      const answer = sandbox.call("batch", text, 1, parts);
      expect(answer).toBeInstanceOf(Promise);
      busyFor(5);
      expect(await answer).toContain(String(i));
    }
    // The next batch comes onto the thread; on a loaded machine one call's time in the isolate can
    // include the process being descheduled, which keeps the following calls off it a while longer.
    let onThreadAt = -1;
    for (let i = 3; i < 30 && onThreadAt === -1; i++) {
      const { text, parts } = batch(i);
      const answer = sandbox.call("batch", text, 1, parts);
      if (typeof answer === "string") {
        expect(answer).toContain(String(i));
        onThreadAt = i;
      } else expect(await answer).toContain(String(i));
    }
    expect(onThreadAt, "the call that came onto the thread").toBeGreaterThanOrEqual(3);
  });

  it("keeps a function that is slow in its own isolate off the thread", async () => {
    const code =
      "export default (r: any) => { const until = Date.now() + 3; while (Date.now() < until) {} return { value: r.value }; };";
    const sandbox = await adaptiveSandbox(code);
    for (let i = 0; i < 5; i++) {
      const { text, parts } = batch(i);
      const answer = sandbox.call("batch", text, 1, parts);
      expect(answer).toBeInstanceOf(Promise);
      await answer;
    }
  });
});
