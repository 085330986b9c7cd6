// Property: no input makes any procedure answer 5xx or show a stack. Every procedure of the
// router (enumerated, so a new one is covered without touching this file) is called over the
// HTTP handler the web app mounts with random and hostile inputs: NUL, lone surrogates, huge and
// odd numbers, deep nesting, long strings, wrong types, __proto__ keys, malformed JSON. Seeded
// and bounded: the same runs every time, well under a minute.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { demoFlow, useTestApi } from "../test/db";
import { handleApiRequest } from "./http-handler";
import { appRouter } from "./root";
import { testAuth } from "../test/auth";
import { asTestAdmin } from "../test/principals";

const t = useTestApi();

interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  /** The keys of the procedure's object input, so generated inputs reach its fields. */
  keys: string[];
}

function procedures(): ProcedureInfo[] {
  const record = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { type: ProcedureInfo["type"]; inputs: unknown[] } }
  >;
  return Object.entries(record).map(([path, procedure]) => {
    const keys = new Set<string>();
    for (const input of procedure._def.inputs) {
      if (input instanceof z.ZodObject) for (const key of Object.keys(input.shape)) keys.add(key);
    }
    return { path, type: procedure._def.type, keys: [...keys] };
  });
}

// Ids that exist, so some calls get past "not found" into the procedure's work.
const known = { flowId: "", version: 1 };

/** Text Postgres refuses: NUL and lone surrogates, alone or inside other text. */
const poisonString = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom("\u0000", "\ud800", "\udfff", "\udbff\u0000"),
    fc.string({ maxLength: 8 }),
  )
  .map(([before, poison, after]) => before + poison + after);

const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  poisonString,
  fc.constantFrom(
    "__proto__",
    "constructor",
    "{{seq}}",
    "../../etc/passwd",
    "'; DROP TABLE flows; --",
    "export default (r) => r",
    "export default (r) => { while (true) {} }",
    "00000000-0000-0000-0000-000000000000",
  ),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => "x".repeat(n)),
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, -1, 0, -0, 0.5, 1e308, -1e308),
);

/** A value nested `depth` levels deep, built without recursion. */
const deep = fc.tuple(fc.integer({ min: 30, max: 2_000 }), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
});

const hostileKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", "a\u0000", "\ud800"),
  fc.string({ maxLength: 10 }),
);

const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    poisonString,
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    deep,
    fc.array(tie("value"), { maxLength: 4 }),
    // Object.fromEntries makes "__proto__" an own key, as JSON.parse does on the server.
    fc
      .array(fc.tuple(hostileKey, tie("value")), { maxLength: 4 })
      .map((entries) => Object.fromEntries(entries)),
  ),
}));

/** Well-formed values for the fields procedures take, by name: each run breaks one of them. */
const plausible: Record<string, () => unknown> = {
  id: () => known.flowId,
  flowId: () => known.flowId,
  version: () => known.version,
  spec: () => demoFlow("prop"),
  name: () => "prop_name",
  value: () => "a value",
  kind: () => "kafka",
  config: () => ({ brokers: ["localhost:9092"], sasl: { mechanism: "plain", username: "u" } }),
  secrets: () => ({ sasl: { password: "p" } }),
  nodeId: () => "out",
  ids: () => [1],
  limit: () => 10,
  afterId: () => 1,
  status: () => "pending",
  sha256: () => "0".repeat(64),
  base64: () => "AGFzbQ==",
  code: () => "export default (r) => r",
  records: () => [{ value: { n: 1 } }],
  intervalMs: () => 1000,
};

function plausibleInput(info: ProcedureInfo): Record<string, unknown> {
  // flow.create and flow.validate take a whole spec (their parser is z.custom, without keys).
  if (info.keys.length === 0) return demoFlow("prop");
  return Object.fromEntries(info.keys.map((key) => [key, plausible[key]?.() ?? "x"]));
}

/** Every path to a value inside `value` (the value itself included), without recursion. */
function pathsIn(value: unknown): (string | number)[][] {
  const paths: (string | number)[][] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0 && paths.length < 200) {
    const item = stack.pop() as { value: unknown; path: (string | number)[] };
    paths.push(item.path);
    if (typeof item.value === "object" && item.value !== null) {
      for (const [key, child] of Object.entries(item.value))
        stack.push({ value: child, path: [...item.path, key] });
    }
  }
  return paths;
}

/** `value` with the thing at `path` replaced (a fresh copy). */
function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  Object.defineProperty(at, path[path.length - 1] as string | number, {
    value: by,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/**
 * Inputs for one procedure: a well-formed input with one value (anywhere in it) made hostile, a
 * well-formed input with hostile extra keys, any hostile value, or no input at all.
 */
function inputFor(info: ProcedureInfo): fc.Arbitrary<unknown> {
  const base = plausibleInput(info);
  const paths = pathsIn(base);
  const breaker = fc.oneof(
    { arbitrary: poisonString, weight: 2 },
    { arbitrary: hostileNumber, weight: 1 },
    { arbitrary: hostileValue, weight: 4 },
  );
  const oneBroken = fc
    .tuple(fc.nat({ max: paths.length - 1 }), breaker)
    .map(([index, value]) => replaced(base, paths[index] ?? [], value));
  const extraKeys = fc
    .array(fc.tuple(hostileKey, hostileValue), { minLength: 1, maxLength: 2 })
    .map((extra) => ({ ...Object.fromEntries(extra), ...base }));
  return fc.oneof(
    { arbitrary: oneBroken, weight: 4 },
    { arbitrary: extraKeys, weight: 1 },
    { arbitrary: hostileValue, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

type Shape = "plain" | "batch" | "malformed";

function requestFor(info: ProcedureInfo, input: unknown, shape: Shape, signal: AbortSignal): Request {
  const base = "http://localhost/api/trpc/";
  if (shape === "malformed") {
    const text = '{"a": [1, 2,, "\\ud800" ';
    return info.type === "mutation"
      ? new Request(base + info.path, {
          method: "POST",
          body: text,
          headers: { "content-type": "application/json" },
        })
      : new Request(`${base}${info.path}?input=${encodeURIComponent(text)}`, { signal });
  }
  const batch = shape === "batch";
  const wire = batch ? { 0: input, 1: input } : input;
  const text = wire === undefined ? undefined : JSON.stringify(wire);
  const path = batch ? `${info.path},${info.path}?batch=1` : info.path;
  if (info.type === "mutation") {
    return new Request(base + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      ...(text === undefined ? {} : { body: text }),
    });
  }
  const query = text === undefined ? "" : `${batch ? "&" : "?"}input=${encodeURIComponent(text)}`;
  return new Request(base + path + query, { signal, headers: { accept: "text/event-stream" } });
}

/**
 * The answer's body; for a stream of server-sent events (a subscription that accepted its input
 * streams until the client leaves) its first event, after which the request is ended.
 */
async function firstPart(res: Response, abort: AbortController): Promise<string> {
  if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) return res.text();
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  // Ends the request (and so the stream) if no event comes within 2 s.
  const timer = setTimeout(() => {
    abort.abort();
  }, 2_000);
  try {
    while (!text.includes("\n\n")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  abort.abort();
  await reader.cancel().catch(() => undefined);
  return text;
}

const STACK = /\n\s+at |node_modules|\.ts:\d+/;

describe("no input gives a 5xx or a stack, through every procedure", () => {
  beforeAll(async () => {
    const created = await t.api.flow.create(demoFlow("fixture"));
    known.flowId = created.id;
  });

  const list = procedures();

  it("enumerates the router (a new procedure is covered without a change here)", () => {
    expect(list.length).toBeGreaterThan(30);
    expect(list.map((p) => p.path)).toEqual(
      expect.arrayContaining(["flow.create", "secrets.set", "stats.live"]),
    );
  });

  it.each(list.map((info) => [info.path, info] as const))("%s", async (_path, info) => {
    await fc.assert(
      fc.asyncProperty(
        inputFor(info),
        fc.constantFrom<Shape>("plain", "plain", "plain", "batch", "malformed"),
        async (input, shape) => {
          const abort = new AbortController();
          const res = await handleApiRequest(requestFor(info, input, shape, abort.signal), {
            authenticate: asTestAdmin,
            auth: testAuth(t.db),
            db: t.db,
          });
          const text = await firstPart(res, abort);
          expect(res.status, `${info.path} ${shape}: ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text).not.toMatch(STACK);
        },
      ),
      { seed: 10, numRuns: 40, endOnFailure: true },
    );
  });
});
