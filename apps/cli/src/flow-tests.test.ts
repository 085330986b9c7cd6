import type { FlowSpec } from "@weir/domain";
import { describe, expect, it } from "vitest";
import { compareCase, contains, flowTestSchema, parseFlowTests } from "./flow-tests";
import type { DryRunAnswer } from "./flow-tests";

const spec = {
  name: "f",
  nodes: [
    { id: "src", kind: "source", type: "generator" },
    { id: "fn", kind: "function", type: "function" },
    { id: "out", kind: "sink", type: "log" },
  ],
  edges: [],
} as unknown as FlowSpec;

const answer = (captured: unknown[], errors: string[] = []): DryRunAnswer => ({
  nodes: [
    {
      nodeId: "fn",
      errors: errors.map((message, record) => ({ record, message })),
      problems: [],
      captured: null,
    },
    { nodeId: "out", errors: [], problems: [], captured: captured.map((value) => ({ value })) },
  ],
});

describe("contains", () => {
  it("checks the expected keys only, recursively, and arrays whole", () => {
    expect(contains({ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } })).toBe(true);
    expect(contains({ a: 1 }, { a: 2 })).toBe(false);
    expect(contains({ a: [1, 2] }, { a: [1] })).toBe(false);
    expect(contains("x", { a: 1 })).toBe(false);
  });
});

describe("compareCase", () => {
  const test = flowTestSchema.parse({
    name: "t",
    input: { src: [{ value: 1 }] },
    expect: { out: [{ value: { n: 2, tag: "x" } }] },
    deadLetters: [{ node: "fn", message: "bad" }],
  });

  it("passes exact records (key order aside) and the dead letters expected", () => {
    expect(compareCase(test, [answer([{ tag: "x", n: 2 }], ["a bad record"])])).toEqual([]);
  });

  it("diffs a wrong record with - expected and + actual, and missing or surprising dead letters", () => {
    expect(compareCase(test, [answer([{ n: 3, tag: "x" }, { n: 4 }], [])])).toEqual([
      "sink out: expected 1 record(s), got 2 (exact match)",
      '  - {"value":{"n":2,"tag":"x"}}',
      '  + {"value":{"n":3,"tag":"x"}}',
      '  + {"value":{"n":4}}',
      "dead letters: expected 1, got 0",
      "  - fn: …bad…",
    ]);
    const none = { ...test, deadLetters: [] };
    expect(compareCase(none, [answer([{ n: 2, tag: "x" }], ["boom"])])).toEqual([
      "dead letters: expected 0, got 1",
      "  + fn: boom",
    ]);
  });

  it("matches partially when asked: extra fields pass, a different value does not", () => {
    const partial = {
      ...test,
      match: "partial" as const,
      deadLetters: [],
      expect: { out: [{ value: { n: 2 } }] },
    };
    expect(compareCase(partial, [answer([{ n: 2, tag: "y" }])])).toEqual([]);
    expect(compareCase(partial, [answer([{ n: 5 }])])).toHaveLength(3);
  });
});

describe("parseFlowTests", () => {
  it("locates a malformed case and nodes the flow does not have", () => {
    expect(parseFlowTests([{ name: "t", input: { src: [] } }], spec).problems).toEqual([
      { path: ["tests", 0, "input", "src"], message: expect.stringMatching(/>=1|at least 1/) as string },
    ]);
    const { problems } = parseFlowTests(
      [{ name: "t", input: { fn: [{ value: 1 }] }, deadLetters: [{ node: "out" }] }],
      spec,
    );
    expect(problems).toEqual([
      { path: ["tests", 0, "input", "fn"], message: "no source node fn in this flow (sources: src)" },
      {
        path: ["tests", 0, "deadLetters", 0, "node"],
        message: "no function node out in this flow (functions: fn)",
      },
    ]);
    expect(parseFlowTests([{ name: "t", input: {}, colour: 1 }], spec).problems[0]?.path).toEqual([
      "tests",
      0,
    ]);
  });
});
