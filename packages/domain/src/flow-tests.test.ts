import { describe, expect, it } from "vitest";
import type { FlowSpec } from "./flow";
import type { JsonValue } from "./json";
import { checkFlowTests, compareCase, contains, flowTestSchema, testCaseFromDryRun } from "./flow-tests";
import type { DryRunAnswer, FlowTestInput } from "./flow-tests";

const spec = {
  name: "f",
  nodes: [
    { id: "src", kind: "source", type: "generator" },
    { id: "fn", kind: "function", type: "function" },
    { id: "out", kind: "sink", type: "log" },
  ],
  edges: [],
} as unknown as FlowSpec;

const answer = (captured: JsonValue[], errors: string[] = []): DryRunAnswer => ({
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

describe("per-key order", () => {
  const keyed = (records: [string | null, number][]): DryRunAnswer => ({
    nodes: [
      {
        nodeId: "out",
        errors: [],
        problems: [],
        captured: records.map(([key, n]) => ({ value: n, key })),
      },
    ],
  });
  const perKey = flowTestSchema.parse({
    name: "k",
    input: { src: [{ value: 0 }] },
    order: "per-key",
    expect: {
      out: [
        { value: 1, key: "a" },
        { value: 2, key: "a" },
        { value: 10, key: "b" },
      ],
    },
  });

  it("passes when only records of different keys interleave", () => {
    expect(
      compareCase(perKey, [
        keyed([
          ["b", 10],
          ["a", 1],
          ["a", 2],
        ]),
      ]),
    ).toEqual([]);
    // The same records strictly ordered fail.
    expect(
      compareCase({ ...perKey, order: "strict" }, [
        keyed([
          ["b", 10],
          ["a", 1],
          ["a", 2],
        ]),
      ]),
    ).not.toEqual([]);
  });

  it("fails when one key's records swap, naming the key", () => {
    expect(
      compareCase(perKey, [
        keyed([
          ["a", 2],
          ["b", 10],
          ["a", 1],
        ]),
      ]),
    ).toEqual([
      'sink out, key "a": expected 2 record(s), got 2 (exact match)',
      '  - {"value":1,"key":"a"}',
      '  + {"value":2,"key":"a"}',
      '  - {"value":2,"key":"a"}',
      '  + {"value":1,"key":"a"}',
    ]);
  });

  it("reports a key nobody expected and records without a key", () => {
    expect(
      compareCase(perKey, [
        keyed([
          ["a", 1],
          ["a", 2],
          ["b", 10],
          [null, 7],
        ]),
      ]),
    ).toEqual([
      "sink out, records without a key: expected 0 record(s), got 1 (exact match)",
      '  + {"value":7}',
    ]);
  });
});

describe("testCaseFromDryRun", () => {
  it("expects exactly what each sink captured and each function's failures, and passes on the same answer", () => {
    const answer: DryRunAnswer = {
      nodes: [
        { nodeId: "fn", errors: [{ record: 1, message: "boom at line 2" }], problems: [], captured: null },
        { nodeId: "out", errors: [], problems: [], captured: [{ value: { n: 2 }, key: "k", timestamp: 5 }] },
      ],
    };
    const made = testCaseFromDryRun("saved", "src", [{ value: 1 }, { value: "x" }], answer);
    expect(made).toEqual({
      name: "saved",
      input: { src: [{ value: 1 }, { value: "x" }] },
      expect: { out: [{ value: { n: 2 }, key: "k" }] },
      match: "exact",
      order: "strict",
      deadLetters: [{ node: "fn", message: "boom at line 2" }],
    });
    expect(flowTestSchema.parse(made)).toEqual(made);
    expect(compareCase(made, [answer])).toEqual([]);
  });
});

describe("checkFlowTests", () => {
  const check = (tests: FlowTestInput[]) =>
    checkFlowTests({ nodes: spec.nodes, tests: tests.map((t) => flowTestSchema.parse(t)) });

  it("locates nodes the flow does not have, by kind", () => {
    expect(check([{ name: "t", input: { fn: [{ value: 1 }] }, deadLetters: [{ node: "out" }] }])).toEqual([
      {
        path: ["tests", 0, "input", "fn"],
        message: "no source node fn in this flow (sources: src)",
        code: "missing_node",
      },
      {
        path: ["tests", 0, "deadLetters", 0, "node"],
        message: "no function node out in this flow (functions: fn)",
        code: "missing_node",
      },
    ]);
    expect(check([{ name: "t", input: { src: [{ value: 1 }] }, expect: { out: [] } }])).toEqual([]);
  });

  it("refuses a malformed case by its shape", () => {
    expect(flowTestSchema.safeParse({ name: "t", input: { src: [] } }).success).toBe(false);
    expect(flowTestSchema.safeParse({ name: "t", input: {}, colour: 1 }).success).toBe(false);
    expect(flowTestSchema.safeParse({ name: "t", input: {}, order: "random" }).success).toBe(false);
  });
});
