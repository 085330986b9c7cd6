// The example functions in examples/functions (JS, Python, Go: the same transform in each),
// built by their own build scripts (cached under .weir/examples) and run through the wasm
// runtime as prebuilt components, checking outputs, failures, log lines, state and metrics.
import type { FunctionHost, JsonValue, RecordOutcome, StateWrite, WeirRecord } from "@weir/domain";
import { exampleComponent, exampleLanguages } from "@weir/testkit/function-examples";
import { describe, expect, it } from "vitest";
import { wasmRuntime } from "../src/index";

interface RecordingHost extends FunctionHost {
  lines: string[];
  stored: Map<string, JsonValue>;
  counters: Record<string, number>;
}

function recordingHost(initial: Record<string, JsonValue>): RecordingHost {
  const lines: string[] = [];
  const stored = new Map(Object.entries(initial));
  const counters: Record<string, number> = {};
  const write = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return {
    lines,
    stored,
    counters,
    log: { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") },
    secrets: {},
    state: {
      get: (key) => Promise.resolve(stored.get(key)),
      apply: (writes: readonly StateWrite[]) => {
        for (const w of writes) {
          if ("delete" in w) stored.delete(w.key);
          else stored.set(w.key, w.value);
        }
        return Promise.resolve();
      },
    },
    metrics: {
      counter: (name, increment) => {
        counters[name] = (counters[name] ?? 0) + increment;
      },
      histogram: () => undefined,
    },
  };
}

const record = (value: JsonValue, key: string | null = null): WeirRecord => ({
  key,
  value,
  headers: { trace: "t-1" },
  timestamp: 1_700_000_000_000,
});

/** What each successful outcome sent on, as plain values; failures as their message. */
function summary(outcomes: RecordOutcome[]): unknown[] {
  return outcomes.map((outcome) =>
    outcome.ok ? outcome.outputs.map(({ port, record: r }) => ({ port, ...r })) : outcome.error.message,
  );
}

describe.each(exampleLanguages)("examples/functions/%s", (language) => {
  it("builds into a Weir component that transforms, fails bad records, logs, counts in state and metrics", async () => {
    const { bytes } = await exampleComponent(language);
    const host = recordingHost({ count: 10 });
    const instance = await wasmRuntime.createInstance(
      {
        nodeId: `example-${language}`,
        code: "",
        language: "javascript",
        params: {},
        ports: ["out"],
        timeoutMs: 10_000,
        memoryLimitMb: 256,
        component: bytes,
      },
      host,
    );
    try {
      const first = await instance.process([
        record({ name: "ada", amount: 2 }, "k1"),
        record("not an order"),
        record({ name: "bob", amount: 0.5 }),
      ]);
      expect(summary(first)).toEqual([
        [
          {
            port: "out",
            key: "k1",
            value: { name: "ADA", amount: 2, doubled: 4, count: 11 },
            headers: { trace: "t-1" },
            timestamp: 1_700_000_000_000,
          },
        ],
        'value must be an object with a numeric amount, got "not an order"',
        [expect.objectContaining({ value: { name: "BOB", amount: 0.5, doubled: 1, count: 12 } })],
      ]);
      expect(host.lines).toEqual(["info: record 11: ada", "info: record 12: bob"]);
      expect(host.stored.get("count")).toBe(12);
      expect(host.counters).toEqual({ records: 2 });

      // The next batch reads the state the first one left.
      const second = await instance.process([record({ name: "cy", amount: -3 })]);
      expect(summary(second)).toEqual([
        [expect.objectContaining({ value: { name: "CY", amount: -3, doubled: -6, count: 13 } })],
      ]);
      expect(host.stored.get("count")).toBe(13);
    } finally {
      await instance.close();
    }
  }, 600_000);
});
