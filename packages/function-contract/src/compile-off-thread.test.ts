import { describe, expect, it } from "vitest";
import { compileOffThread } from "./compile-off-thread";

describe("compileOffThread", () => {
  it("finds the same problems as compile, with line and column", async () => {
    const problems = await compileOffThread(
      { code: "export default (r) => {\n  return r +;\n}", language: "typescript" },
      { timeoutMs: 20_000 },
    );
    expect(problems).toEqual([{ message: "Expression expected.", line: 2, column: 13 }]);
    expect(
      await compileOffThread(
        { code: "export default (r) => r", language: "javascript" },
        { timeoutMs: 20_000 },
      ),
    ).toEqual([]);
  });

  it("keeps the event loop free while a big compile runs, and bounds it by the time limit", async () => {
    // Warm the worker up, then compile ~4 MB: timers on this thread keep firing meanwhile.
    await compileOffThread(
      { code: "export default (r) => r", language: "typescript" },
      { timeoutMs: 20_000 },
    );
    const code = `export default (r) => r;\n${"const a = [1, 2, 3].map((x) => x * 2);\n".repeat(100_000)}`;
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 10);
    const started = Date.now();
    const problems = await compileOffThread({ code, language: "typescript" }, { timeoutMs: 50 });
    clearInterval(ticker);
    expect(problems[0]?.message).toContain("longer than the limit of 50 ms");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(ticks).toBeGreaterThan(0);
    // The next compile gets a fresh worker.
    expect(
      await compileOffThread(
        { code: "export default (r) => r", language: "typescript" },
        { timeoutMs: 20_000 },
      ),
    ).toEqual([]);
  });
});
