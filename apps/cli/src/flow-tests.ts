// Flow tests as code: a flow file's `tests:` cases, each giving input records per source, the
// records expected at each sink (exact, or partial: the expected fields must be there with those
// values, others may be too) and the dead letters expected (a function failing on a record;
// none when not given). `weir test FILE` runs each case through the API's dry run (functions in
// a live engine, nothing saved or deployed) and compares with compareCase, which is pure.
import type { FlowSpec } from "@weir/domain";
import { z } from "zod";
import type { FileProblem } from "./flow-file";

const record = z
  .object({
    value: z.unknown(),
    key: z.string().nullable().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timestamp: z.number().int().nonnegative().optional(),
  })
  .strict();

const deadLetter = z
  .object({
    node: z.string().min(1),
    /** Part of the error's message. */
    message: z.string().optional(),
  })
  .strict();

export const flowTestSchema = z
  .object({
    name: z.string().min(1),
    /** Records per source id; each source's records run as their own dry run, in this order. */
    input: z.record(z.string(), z.array(record).min(1).max(1000)),
    /** Records expected per sink id, in order; a sink not named here is not checked. */
    expect: z.record(z.string(), z.array(record)).default({}),
    /** exact: value (and key, headers when given) equal; partial: the expected fields are present and equal. */
    match: z.enum(["exact", "partial"]).default("exact"),
    deadLetters: z.array(deadLetter).default([]),
  })
  .strict();

export const flowTestsSchema = z.array(flowTestSchema);

export type FlowTest = z.infer<typeof flowTestSchema>;
export type TestRecord = z.infer<typeof record>;

/** What a dry run answered that a test looks at (the API's DryRunResult, in part). */
export interface DryRunAnswer {
  nodes: {
    nodeId: string;
    errors: { record: number; message: string; line?: number }[];
    problems: { message: string; line?: number; column?: number }[];
    captured: TestRecord[] | null;
  }[];
}

/** The cases of a file, checked against its flow: sources, sinks and functions named exist. */
export function parseFlowTests(raw: unknown, spec: FlowSpec): { tests: FlowTest[]; problems: FileProblem[] } {
  const parsed = flowTestsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      tests: [],
      problems: parsed.error.issues.map((issue) => ({
        path: ["tests", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
        message: issue.message,
      })),
    };
  }
  const problems: FileProblem[] = [];
  const ofKind = (kind: string) => new Set(spec.nodes.filter((n) => n.kind === kind).map((n) => n.id));
  const check = (
    ids: Iterable<string>,
    kind: string,
    path: (id: string, i: number) => FileProblem["path"],
  ) => {
    const known = ofKind(kind);
    [...ids].forEach((id, i) => {
      if (!known.has(id))
        problems.push({
          path: path(id, i),
          message: `no ${kind} node ${id} in this flow (${kind}s: ${[...known].join(", ") || "none"})`,
        });
    });
  };
  parsed.data.forEach((test, t) => {
    check(Object.keys(test.input), "source", (id) => ["tests", t, "input", id]);
    check(Object.keys(test.expect), "sink", (id) => ["tests", t, "expect", id]);
    check(
      test.deadLetters.map((d) => d.node),
      "function",
      (_, i) => ["tests", t, "deadLetters", i, "node"],
    );
  });
  return { tests: parsed.data, problems };
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

function recordMatches(actual: TestRecord, expected: TestRecord, match: FlowTest["match"]): boolean {
  const same = match === "exact" ? (a: unknown, e: unknown) => canonical(a) === canonical(e) : contains;
  if (!same(actual.value, expected.value)) return false;
  if (expected.key !== undefined && (actual.key ?? null) !== expected.key) return false;
  if (expected.headers !== undefined && !same(actual.headers ?? {}, expected.headers)) return false;
  return true;
}

/** JSON with object keys sorted, so key order does not make records differ. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const show = (r: TestRecord): string => {
  const { value, key, headers } = r;
  return JSON.stringify({
    value,
    ...(key != null ? { key } : {}),
    ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
  });
};

/**
 * Compares a case's expectations with the dry runs of its inputs (one answer per source, in the
 * order of `input`). Answers the diff lines: empty when the case passed. Expected lines start
 * with `-`, actual ones with `+`, records that match with two spaces.
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
    const ok =
      actual.length === expected.length &&
      expected.every((e, i) => recordMatches(actual[i] as TestRecord, e, test.match));
    if (ok) continue;
    lines.push(
      `sink ${sink}: expected ${expected.length} record(s), got ${actual.length} (${test.match} match)`,
    );
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      const e = expected[i];
      const a = actual[i];
      if (e && a && recordMatches(a, e, test.match)) lines.push(`    ${show(a)}`);
      else {
        if (e) lines.push(`  - ${show(e)}`);
        if (a) lines.push(`  + ${show(a)}`);
      }
    }
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
