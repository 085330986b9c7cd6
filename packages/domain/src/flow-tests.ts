// Flow tests: test cases carried in a flow (its `tests:`), versioned with it. Each case gives
// input records per source, the records expected at each sink and the dead letters expected.
// `weir test FILE` and the editor run a case through the API's dry run (functions in a live
// engine, nothing saved or deployed) and compare with compareCase, which is pure.
import { z } from "zod";
import type { FlowSpec } from "./flow";
import type { Problem } from "./problem";
import { jsonValueSchema } from "./json";

const testRecordSchema = z
  .object({
    value: jsonValueSchema,
    key: z.string().max(1000).nullable().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timestamp: z.number().int().nonnegative().optional(),
  })
  .strict();

const expectedDeadLetterSchema = z
  .object({
    node: z.string().min(1).max(64),
    /** Part of the error's message. */
    message: z.string().max(1000).optional(),
  })
  .strict();

export const flowTestSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(200),
    /** Records per source id; each source's records run as their own dry run, in this order. */
    input: z.record(z.string(), z.array(testRecordSchema).min(1).max(1000)),
    /** Records expected per sink id; a sink not named here is not checked. */
    expect: z.record(z.string(), z.array(testRecordSchema).max(1000)).default({}),
    /** exact: value (and key, headers when given) equal; partial: the expected fields are present and equal. */
    match: z.enum(["exact", "partial"]).default("exact"),
    /**
     * strict: a sink's records in the expected order; per-key: only records with the same key
     * keep their order (what a partitioned transport promises), records of different keys may
     * interleave.
     */
    order: z.enum(["strict", "per-key"]).default("strict"),
    deadLetters: z.array(expectedDeadLetterSchema).max(1000).default([]),
  })
  .strict();

export const flowTestsSchema = z.array(flowTestSchema).max(100);

export type FlowTest = z.infer<typeof flowTestSchema>;
export type FlowTestInput = z.input<typeof flowTestSchema>;
export type TestRecord = z.infer<typeof testRecordSchema>;

/** What a dry run answered that a test looks at (the API's dry-run result, in part). */
export interface DryRunAnswer {
  nodes: {
    nodeId: string;
    errors: { record: number; message: string; line?: number }[];
    problems: { message: string; line?: number; column?: number }[];
    captured: TestRecord[] | null;
  }[];
}

/** Problems of a flow's tests: each source, sink and function a case names must be in the flow. */
export function checkFlowTests(flow: Pick<FlowSpec, "nodes" | "tests">): Problem[] {
  const problems: Problem[] = [];
  const ofKind = (kind: string) => new Set(flow.nodes.filter((n) => n.kind === kind).map((n) => n.id));
  const expectKind = (id: string, kind: string, path: Problem["path"]) => {
    const known = ofKind(kind);
    if (known.has(id)) return;
    problems.push({
      path,
      message: `no ${kind} node ${id} in this flow (${kind}s: ${[...known].join(", ") || "none"})`,
      code: "missing_node",
    });
  };
  (flow.tests ?? []).forEach((test, t) => {
    for (const id of Object.keys(test.input)) expectKind(id, "source", ["tests", t, "input", id]);
    for (const id of Object.keys(test.expect)) expectKind(id, "sink", ["tests", t, "expect", id]);
    test.deadLetters.forEach((d, i) => {
      expectKind(d.node, "function", ["tests", t, "deadLetters", i, "node"]);
    });
  });
  return problems;
}

/** Whether `actual` has everything `expected` has (objects: these keys, recursively; else equal). */
export function contains(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((v, i) => contains(actual[i], v))
    );
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** JSON with object keys sorted, so key order does not make records differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function recordMatches(actual: TestRecord, expected: TestRecord, match: FlowTest["match"]): boolean {
  const same = match === "exact" ? (a: unknown, e: unknown) => canonical(a) === canonical(e) : contains;
  if (!same(actual.value, expected.value)) return false;
  if (expected.key !== undefined && (actual.key ?? null) !== expected.key) return false;
  if (expected.headers !== undefined && !same(actual.headers ?? {}, expected.headers)) return false;
  return true;
}

const show = (r: TestRecord): string => {
  const { value, key, headers } = r;
  return JSON.stringify({
    value,
    ...(key != null ? { key } : {}),
    ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
  });
};

/** Diff lines of one ordered run of records: empty when every record matches in order. */
function compareRun(
  label: string,
  actual: readonly TestRecord[],
  expected: readonly TestRecord[],
  match: FlowTest["match"],
): string[] {
  const ok =
    actual.length === expected.length &&
    expected.every((e, i) => recordMatches(actual[i] as TestRecord, e, match));
  if (ok) return [];
  const lines = [`${label}: expected ${expected.length} record(s), got ${actual.length} (${match} match)`];
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const e = expected[i];
    const a = actual[i];
    if (e && a && recordMatches(a, e, match)) lines.push(`    ${show(a)}`);
    else {
      if (e) lines.push(`  - ${show(e)}`);
      if (a) lines.push(`  + ${show(a)}`);
    }
  }
  return lines;
}

function byKey(records: readonly TestRecord[]): Map<string | null, TestRecord[]> {
  const groups = new Map<string | null, TestRecord[]>();
  for (const r of records) {
    const key = r.key ?? null;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

function compareSink(
  sink: string,
  actual: readonly TestRecord[],
  expected: readonly TestRecord[],
  test: FlowTest,
) {
  if (test.order === "strict") return compareRun(`sink ${sink}`, actual, expected, test.match);
  // Per key: each key's records in order; an expected record without a key stands for keyless ones.
  const want = byKey(expected);
  const got = byKey(actual);
  const lines: string[] = [];
  for (const key of new Set([...want.keys(), ...got.keys()])) {
    const label = `sink ${sink}, ${key === null ? "records without a key" : `key ${JSON.stringify(key)}`}`;
    lines.push(...compareRun(label, got.get(key) ?? [], want.get(key) ?? [], test.match));
  }
  return lines;
}

/**
 * Compares a case's expectations with the dry runs of its inputs (one answer per source, in the
 * order of `input`). Answers the diff lines: empty when the case passed. Expected lines start
 * with `-`, actual ones with `+`, records that match with four spaces.
 */
export function compareCase(test: FlowTest, answers: readonly DryRunAnswer[]): string[] {
  const lines: string[] = [];
  const nodes = answers.flatMap((a) => a.nodes);
  for (const node of nodes) {
    for (const p of node.problems)
      lines.push(
        `${node.nodeId}: code does not compile: ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.message}`,
      );
  }
  for (const [sink, expected] of Object.entries(test.expect)) {
    const actual = nodes.filter((n) => n.nodeId === sink).flatMap((n) => n.captured ?? []);
    lines.push(...compareSink(sink, actual, expected, test));
  }
  const failures = nodes.flatMap((n) => n.errors.map((e) => ({ node: n.nodeId, message: e.message })));
  const unmatched = [...failures];
  const missing = test.deadLetters.filter((d) => {
    const i = unmatched.findIndex(
      (f) => f.node === d.node && (d.message === undefined || f.message.includes(d.message)),
    );
    if (i < 0) return true;
    unmatched.splice(i, 1);
    return false;
  });
  if (missing.length > 0 || unmatched.length > 0) {
    lines.push(`dead letters: expected ${test.deadLetters.length}, got ${failures.length}`);
    for (const d of missing) lines.push(`  - ${d.node}${d.message !== undefined ? `: …${d.message}…` : ""}`);
    for (const f of unmatched) lines.push(`  + ${f.node}: ${f.message}`);
  }
  return lines;
}

/**
 * A case made from what a dry run answered: its input records, what each sink captured and each
 * function's failures, matched exactly (the editor's "Save as test case").
 */
export function testCaseFromDryRun(
  name: string,
  source: string,
  records: readonly TestRecord[],
  answer: DryRunAnswer,
): FlowTest {
  const expect: Record<string, TestRecord[]> = {};
  for (const node of answer.nodes) {
    if (node.captured)
      expect[node.nodeId] = node.captured.map(({ value, key, headers }) => ({
        value,
        ...(key != null ? { key } : {}),
        ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
      }));
  }
  return {
    name,
    input: { [source]: records.map((r) => ({ ...r })) },
    expect,
    match: "exact",
    order: "strict",
    deadLetters: answer.nodes.flatMap((n) => n.errors.map((e) => ({ node: n.nodeId, message: e.message }))),
  };
}
