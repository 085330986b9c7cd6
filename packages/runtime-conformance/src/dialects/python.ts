import type { Dialect } from "../harness";
import { guarded } from "../harness";
import { BYTE_SOURCES } from "../suites/bytes";

/**
 * The suite's cases in Python, for the `python` runtime: each TypeScript source of the suites,
 * by its exact text, and the Python that means the same. Where JavaScript has a thing Python
 * has not, the counterpart tests the Python form of the same promise:
 *
 * - `export default` / `export function* stream` / `init` → `def handle(record, ctx)` /
 *   `def stream(records, ctx)` (a generator, sync or async) / `def init(ctx)`; records are dicts.
 * - `await ctx.state.get(k)` → `ctx.state.get(k)` (a blocking read; Python handlers may be sync).
 * - Imports: Python may import the standard library; only modules that reach processes, the
 *   network or native code are refused by check (the import cases use `socket`, `subprocess`).
 * - Thrown non-Errors → `BaseException`s that are not `Exception`s (SystemExit,
 *   KeyboardInterrupt, GeneratorExit), which must not end the worker; they carry the text the
 *   JavaScript value shows, as Python has no throwable null or undefined.
 * - Removed globals (process, require, the Function constructor) → the names do not exist in
 *   Python either; the isolation is the process and its namespaces: the global-object case asks
 *   the sandbox instead (network, host files, writable filesystem).
 * - Prototype tampering → replacing builtins and json's functions, which must not break the
 *   runtime's own bookkeeping; another instance is another process and never sees it.
 * - Frozen objects → read-only mappings that refuse assignment.
 * - `Uint8Array` → `bytes` (a function may also return `bytearray` or `memoryview`); `typeof` →
 *   the JSON type's name; `| 0` → the same wrap to a signed 32-bit integer.
 */
const GUARDED_ATTACKS: [string, string][] = [
  ['throw new Error("boom");', 'raise Exception("boom")'],
  ['throw "plain words";', 'raise SystemExit("plain words")'],
  ["throw 42;", "raise SystemExit(42)"],
  ['throw { code: "E42" };', 'raise KeyboardInterrupt({"code": "E42"})'],
  ["throw null;", 'raise GeneratorExit("null")'],
  ["throw undefined;", 'raise SystemExit("undefined")'],
  [
    'await Promise.reject(new TypeError("rejected"));',
    'f = __import__("asyncio").get_running_loop().create_future(); f.set_exception(TypeError("rejected")); await f',
  ],
  ["const f = (n: number): number => f(n + 1) + 1; f(0);", "f = lambda n: f(n + 1) + 1; f(0)"],
  [
    'ctx.metrics.counter("bad"); ctx.state.put("bad", true); while (true) {}',
    'ctx.metrics.counter("bad"); ctx.state.put("bad", True); exec("while True: pass")',
  ],
  [
    "while (true) await null;",
    'exec("import asyncio\\nasync def spin():\\n while True: await asyncio.sleep(0)", globals()); await spin()',
  ],
  ["await new Promise(() => {});", 'await __import__("asyncio").get_running_loop().create_future()'],
  [
    "const hoard: number[][] = []; while (true) hoard.push(new Array(100_000).fill(1.5));",
    "hoard = [[1.5] * 100_000 for _ in iter(int, 1)]",
  ],
  ["(globalThis as any).process.exit(1);", '__import__("builtins").process.exit(1)'],
  ["process.exit(1);", "process.exit(1)"],
  ['require("fs").readFileSync("/etc/passwd");', 'require("fs").readFileSync("/etc/passwd")'],
  ['({}).constructor.constructor("return process")().exit(1);', 'eval("process", {}).exit(1)'],
  [
    '(function (this: any) { return this.constructor.constructor("return process")(); })().exit(1);',
    '[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0].__init__.__globals__["system"]("kill -9 1").exit(1)',
  ],
  ["ctx.emit = null;", "ctx.emit = None"],
];

const SOURCES: [string, string][] = [
  // check
  ["export default async function handle(r) { return r; }", "async def handle(r, ctx):\n    return r\n"],
  [
    "export async function* stream(records: AsyncIterable<unknown>) {\n  for await (const r of records) yield r;\n}",
    "async def stream(records, ctx):\n    async for r in records:\n        yield r\n",
  ],
  ["export default (r) => {\n  return r +;\n}", "def handle(r, ctx):\n  return r +;\n"],
  [
    [
      "// reads a file",
      'import fs from "fs";',
      "export default async function handle(r) {",
      '  const os = await import("os");',
      "  return r;",
      "}",
    ].join("\n"),
    [
      "# opens a socket",
      "import socket",
      "def handle(r, ctx):",
      '  sp = 1 + len(r); __import__("subprocess")',
      "  return r",
    ].join("\n"),
  ],
  [
    'import type { Handler } from "@weir/function";\nexport default (async (r) => r) satisfies Handler;',
    "from typing import Any\nasync def handle(r: Any, ctx: Any) -> Any:\n    return r\n",
  ],
  ["export const answer = 42;\n", "answer = 42\n"],
  ['import fs from "fs";\nexport default () => {};', "import socket\ndef handle(r, ctx):\n    pass\n"],
  // outputs
  [
    "export default (r: any) => ({ value: r.value + 1 });",
    'def handle(r, ctx):\n    return {"value": r["value"] + 1}\n',
  ],
  [
    'export default (r: any) => ({ value: { n: r.value }, key: null, headers: { x: "y" }, timestamp: 7 });',
    'def handle(r, ctx):\n    return {"value": {"n": r["value"]}, "key": None, "headers": {"x": "y"}, "timestamp": 7}\n',
  ],
  [
    "export default async (r: any) => [{ value: r.value }, { value: -r.value }, { value: 0 }];",
    'async def handle(r, ctx):\n    return [{"value": r["value"]}, {"value": -r["value"]}, {"value": 0}]\n',
  ],
  [
    "export default async (r: any) => { if (r.value === 1) return null; if (r.value === 2) return []; };",
    'async def handle(r, ctx):\n    if r["value"] == 1:\n        return None\n    if r["value"] == 2:\n        return []\n',
  ],
  [
    [
      "export default async (r: any, ctx: any) => {",
      '  ctx.emit("alerts", { value: "big", key: "alert" });',
      '  ctx.emit("out", { value: "first" });',
      "  return { value: r.value };",
      "};",
    ].join("\n"),
    [
      "async def handle(r, ctx):",
      '    ctx.emit("alerts", {"value": "big", "key": "alert"})',
      '    ctx.emit("out", {"value": "first"})',
      '    return {"value": r["value"]}',
    ].join("\n"),
  ],
  [
    "export default async (r: any) => { if (r.value % 3 === 0) throw new Error('three'); return r.value % 2 ? { value: r.value } : undefined; };",
    'async def handle(r, ctx):\n    if r["value"] % 3 == 0:\n        raise Exception("three")\n    return {"value": r["value"]} if r["value"] % 2 else None\n',
  ],
  ["export default (r: any) => r;", "def handle(r, ctx):\n    return r\n"],
  [
    "export default (r: any) => ({ value: [r.key, r.value, r.headers, r.timestamp] });",
    'def handle(r, ctx):\n    return {"value": [r["key"], r["value"], r["headers"], r["timestamp"]]}\n',
  ],
  [
    "export default function handle(r, ctx) { return { value: r.value * 2 }; }",
    'def handle(r, ctx):\n    return {"value": r["value"] * 2}\n',
  ],
  [
    "export default (r: any, ctx: any) => { if (r.value === 1) ctx.emit('nope', { value: 1 }); return { value: r.value }; };",
    'def handle(r, ctx):\n    if r["value"] == 1:\n        ctx.emit("nope", {"value": 1})\n    return {"value": r["value"]}\n',
  ],
  ...(
    [
      ["42", "42"],
      ['"text"', '"text"'],
      ["{ foo: 1 }", '{"foo": 1}'],
      ["[{ value: 1 }, 2]", '[{"value": 1}, 2]'],
      ["{ value: 1, key: 5 }", '{"value": 1, "key": 5}'],
      ["{ value: 1, timestamp: -1 }", '{"value": 1, "timestamp": -1}'],
      ["{ value: 1, headers: { a: 1 } }", '{"value": 1, "headers": {"a": 1}}'],
      ["{ value: 10n }", '{"value": {1, 2}}'],
    ] as const
  ).map(([ts, py]): [string, string] => [
    `export default (r: any): unknown => (r.value === "bad" ? ${ts} : { value: r.value });`,
    `def handle(r, ctx):\n    return ${py} if r["value"] == "bad" else {"value": r["value"]}\n`,
  ]),
  // init
  [
    [
      "let calls = 0;",
      "let ready = false;",
      "export async function init(ctx: any) {",
      "  calls++;",
      "  await Promise.resolve();",
      "  ready = true;",
      '  ctx.log.info("init ran");',
      "}",
      "export default (r: any) => ({ value: [calls, ready] });",
    ].join("\n"),
    [
      "import asyncio",
      "calls = 0",
      "ready = False",
      "async def init(ctx):",
      "    global calls, ready",
      "    calls += 1",
      "    await asyncio.sleep(0)",
      "    ready = True",
      '    ctx.log.info("init ran")',
      "def handle(r, ctx):",
      '    return {"value": [calls, ready]}',
    ].join("\n"),
  ],
  [
    [
      "let start = 0;",
      "export async function init(ctx: any) {",
      '  start = (await ctx.state.get("seed")) + ctx.params.offset;',
      "}",
      "export default () => ({ value: start });",
    ].join("\n"),
    [
      "start = 0",
      "def init(ctx):",
      "    global start",
      '    start = ctx.state.get("seed") + ctx.params["offset"]',
      "def handle(r, ctx):",
      '    return {"value": start}',
    ].join("\n"),
  ],
  [
    [
      "export function init() {",
      '  throw new Error("the model is missing");',
      "}",
      "export default (r: any) => r;",
    ].join("\n"),
    'def init(ctx):\n    raise Exception("the model is missing")\ndef handle(r, ctx):\n    return r\n',
  ],
  [
    "export async function init() { await Promise.resolve(); throw new Error('cannot warm up'); }\nexport default (r: any) => r;",
    'import asyncio\nasync def init(ctx):\n    await asyncio.sleep(0)\n    raise Exception("cannot warm up")\ndef handle(r, ctx):\n    return r\n',
  ],
  [
    "const config = JSON.parse('{');\nexport default (r: any) => ({ value: config });",
    'import json\nconfig = json.loads("{")\ndef handle(r, ctx):\n    return {"value": config}\n',
  ],
  // stream
  [
    [
      "export async function* stream(records: AsyncIterable<{ value: number }>) {",
      "  let sum = 0;",
      "  for await (const r of records) {",
      '    if (r.value === 99) throw new Error("ninety-nine");',
      "    sum += r.value;",
      "    yield { value: sum };",
      "  }",
      "}",
    ].join("\n"),
    [
      "def stream(records, ctx):",
      "    total = 0",
      "    for r in records:",
      '        if r["value"] == 99: raise Exception("ninety-nine")',
      '        total += r["value"]',
      '        yield {"value": total}',
    ].join("\n"),
  ],
  [
    [
      "export async function* stream(records) {",
      "  let pending = null;",
      "  for await (const r of records) {",
      "    if (pending === null) { pending = r.value; continue; }",
      "    yield { value: [pending, r.value] };",
      "    yield { value: 'pair done' };",
      "    pending = null;",
      "  }",
      "}",
    ].join("\n"),
    [
      "async def stream(records, ctx):",
      "    pending = None",
      "    async for r in records:",
      "        if pending is None:",
      '            pending = r["value"]',
      "            continue",
      '        yield {"value": [pending, r["value"]]}',
      '        yield {"value": "pair done"}',
      "        pending = None",
    ].join("\n"),
  ],
  [
    [
      "export async function* stream(records: AsyncIterable<any>, ctx: any) {",
      "  for await (const r of records) {",
      '    const seen = ((await ctx.state.get("seen")) ?? 0) + 1;',
      '    ctx.state.put("seen", seen);',
      '    ctx.emit("alerts", { value: ctx.record.key });',
      '    if (r.value === "bad") throw new Error("bad record");',
      "    yield { value: seen };",
      "  }",
      "}",
    ].join("\n"),
    [
      "def stream(records, ctx):",
      "    for r in records:",
      '        seen = (ctx.state.get("seen") or 0) + 1',
      '        ctx.state.put("seen", seen)',
      '        ctx.emit("alerts", {"value": ctx.record["key"]})',
      '        if r["value"] == "bad":',
      '            raise Exception("bad record")',
      '        yield {"value": seen}',
    ].join("\n"),
  ],
  [
    "export default (r: any) => ({ value: 'handler' });\nexport async function* stream(records: any) { for await (const r of records) yield { value: 'stream' }; }",
    'def handle(r, ctx):\n    return {"value": "handler"}\ndef stream(records, ctx):\n    for r in records:\n        yield {"value": "stream"}\n',
  ],
  // state
  [
    [
      "export default async (r: any, ctx: any) => {",
      '  const n = ((await ctx.state.get("n")) ?? 0) + 1;',
      '  ctx.state.put("n", n);',
      '  ctx.state.put("last", { value: r.value });',
      '  if (r.value === "bad") throw new Error("failed after writing");',
      "  return { value: n };",
      "};",
    ].join("\n"),
    [
      "def handle(r, ctx):",
      '    n = (ctx.state.get("n") or 0) + 1',
      '    ctx.state.put("n", n)',
      '    ctx.state.put("last", {"value": r["value"]})',
      '    if r["value"] == "bad":',
      '        raise Exception("failed after writing")',
      '    return {"value": n}',
    ].join("\n"),
  ],
  [
    [
      "export default async (r: any, ctx: any) => {",
      '  ctx.state.delete("gone");',
      '  ctx.state.put("temp", 1);',
      '  ctx.state.delete("temp");',
      '  return { value: [await ctx.state.get("gone"), await ctx.state.get("temp")] };',
      "};",
    ].join("\n"),
    [
      "def handle(r, ctx):",
      '    ctx.state.delete("gone")',
      '    ctx.state.put("temp", 1)',
      '    ctx.state.delete("temp")',
      '    return {"value": [ctx.state.get("gone"), ctx.state.get("temp")]}',
    ].join("\n"),
  ],
  [
    [
      "export default async (r: any, ctx: any) => {",
      '  const config = await ctx.state.get("config");',
      "  config.level = 99;",
      '  return { value: (await ctx.state.get("config")).level };',
      "};",
    ].join("\n"),
    [
      "def handle(r, ctx):",
      '    config = ctx.state.get("config")',
      '    config["level"] = 99',
      '    return {"value": ctx.state.get("config")["level"]}',
    ].join("\n"),
  ],
  [
    "export default (r: any, ctx: any) => { ctx.state.put('x', r.value === 1 ? undefined : r.value); return { value: r.value }; };",
    'def handle(r, ctx):\n    ctx.state.put("x", None if r["value"] == 1 else r["value"])\n    return {"value": r["value"]}\n',
  ],
  // ctx
  [
    [
      "export default (r: any, ctx: any) => {",
      '  ctx.log.debug("d");',
      '  ctx.log.info("i", 1, { a: [1] }, null);',
      '  ctx.log.warn("w");',
      '  ctx.log.error("e");',
      '  console.log("c", r.value);',
      '  console.error(new Error("oops"));',
      '  if (r.value === 2) throw new Error("failed");',
      "};",
    ].join("\n"),
    [
      "import sys",
      "def handle(r, ctx):",
      '    ctx.log.debug("d")',
      '    ctx.log.info("i", 1, {"a": [1]}, None)',
      '    ctx.log.warn("w")',
      '    ctx.log.error("e")',
      '    print("c", r["value"])',
      '    print("Error: oops", file=sys.stderr)',
      '    if r["value"] == 2:',
      '        raise Exception("failed")',
    ].join("\n"),
  ],
  [
    [
      "export default (r: any, ctx: any) => {",
      "  const token = ctx.secrets.API_TOKEN;",
      "  ctx.log.info(`token is ${token}`);",
      "  console.warn({ token });",
      "  if (r.value === 2) throw new Error(`rejected ${token}`);",
      "  return { value: [token.length, Object.isFrozen(ctx.secrets)] };",
      "};",
    ].join("\n"),
    [
      "import sys",
      "def frozen(mapping):",
      "    try:",
      '        mapping["new"] = "x"',
      "        return False",
      "    except TypeError:",
      "        return True",
      "def handle(r, ctx):",
      '    token = ctx.secrets["API_TOKEN"]',
      '    ctx.log.info(f"token is {token}")',
      '    print({"token": token}, file=sys.stderr)',
      '    if r["value"] == 2:',
      '        raise Exception(f"rejected {token}")',
      '    return {"value": [len(token), frozen(ctx.secrets)]}',
    ].join("\n"),
  ],
  [
    [
      "export default (r: any, ctx: any) => {",
      "  if (r.value === 1) ctx.params.nested.factor = 100;",
      "  return { value: [ctx.params.nested.factor, Object.isFrozen(ctx.params), Object.isFrozen(ctx.params.nested)] };",
      "};",
    ].join("\n"),
    [
      "def frozen(mapping):",
      "    try:",
      '        mapping["new"] = "x"',
      "        return False",
      "    except TypeError:",
      "        return True",
      "def handle(r, ctx):",
      '    if r["value"] == 1:',
      '        ctx.params["nested"]["factor"] = 100',
      '    return {"value": [ctx.params["nested"]["factor"], frozen(ctx.params), frozen(ctx.params["nested"])]}',
    ].join("\n"),
  ],
  [
    [
      "export default (r: any, ctx: any) => {",
      '  ctx.metrics.counter("records");',
      '  ctx.metrics.counter("bytes", r.value);',
      '  ctx.metrics.histogram("size", r.value / 2);',
      "};",
    ].join("\n"),
    [
      "def handle(r, ctx):",
      '    ctx.metrics.counter("records")',
      '    ctx.metrics.counter("bytes", r["value"])',
      '    ctx.metrics.histogram("size", r["value"] / 2)',
    ].join("\n"),
  ],
  [
    "export default (r: any, ctx: any) => ({ value: ctx.record });",
    'def handle(r, ctx):\n    return {"value": ctx.record}\n',
  ],
  // containment
  [
    [
      "export default async (r: any, ctx: any) => {",
      '  const n = ((await ctx.state.get("n")) ?? 0) + 1;',
      '  ctx.state.put("n", n);',
      '  ctx.metrics.counter("done");',
      '  if (r.value === "bad") while (true) {}',
      "  return { value: n };",
      "};",
    ].join("\n"),
    [
      "def handle(r, ctx):",
      '    n = (ctx.state.get("n") or 0) + 1',
      '    ctx.state.put("n", n)',
      '    ctx.metrics.counter("done")',
      '    while r["value"] == "bad": pass',
      '    return {"value": n}',
    ].join("\n"),
  ],
  [
    [
      "export default () => {",
      '  const global = Function("return this")();',
      '  const names = ["process", "require", "module", "Buffer", "setTimeout", "setInterval", "setImmediate", "queueMicrotask", "fetch", "XMLHttpRequest", "WebSocket"];',
      "  return { value: names.filter((name) => global[name] !== undefined) };",
      "};",
    ].join("\n"),
    // What the sandbox must not offer a Python worker: each probe names what it reached.
    [
      "import os",
      "def reached(probe):",
      "    try:",
      "        probe()",
      "        return True",
      "    except Exception:",
      "        return False",
      "def connect():",
      '    s = __import__("soc" + "ket").create_connection(("1.1.1.1", 53), timeout=1)',
      "    s.close()",
      "def write_usr():",
      '    open("/usr/weir-escape", "w").close()',
      "def handle(r, ctx):",
      "    probes = {",
      '        "network": connect,',
      '        "host files": lambda: open("/etc/passwd").read(),',
      '        "the workspace": lambda: os.listdir("/work"),',
      '        "a writable /usr": write_usr,',
      '        "the host\'s processes": lambda: 1 / 0 if len([p for p in os.listdir("/proc") if p.isdigit()]) < 5 else None,',
      "    }",
      '    return {"value": [name for name, probe in probes.items() if reached(probe)]}',
    ].join("\n"),
  ],
  [
    "export default () => ({ value: [eval('1 + 1'), new Function('return typeof process')()] });",
    'def handle(r, ctx):\n    return {"value": [eval("1 + 1"), "undefined" if eval("globals().get(\'process\')") is None else "defined"]}\n',
  ],
  [
    "export default () => ({ value: [({} as any).x, typeof [].push, JSON.stringify([1])] });",
    [
      "import builtins, json",
      "def handle(r, ctx):",
      '    return {"value": [getattr(builtins, "poisoned", None), "function" if callable(len) else "none", json.dumps([1])]}',
    ].join("\n"),
  ],
  ["while (true) {}\nexport default (r: any) => r;", "while True: pass\ndef handle(r, ctx):\n    return r\n"],
  [
    "export async function init() { await new Promise(() => {}); }\nexport default (r: any) => r;",
    "import asyncio\nasync def init(ctx):\n    await asyncio.get_running_loop().create_future()\ndef handle(r, ctx):\n    return r\n",
  ],
  [
    "export default (r: any) => { if (r.value < 0) throw new RangeError(`negative: ${r.value}`); return { value: r.value }; };",
    [
      "class RangeError(Exception):",
      "    pass",
      "def handle(r, ctx):",
      '    if r["value"] < 0:',
      "        raise RangeError(f\"negative: {r['value']}\")",
      '    return {"value": r["value"]}',
    ].join("\n"),
  ],
];

/** The byte-value cases (suites/bytes.ts): `bytes` in, `bytes` out, `ctx.write(bytes)`. */
const BYTE_CASES: [string, string][] = [
  [
    BYTE_SOURCES.prefixLength,
    [
      "def handle(r, ctx):",
      '    value = r["value"]',
      "    if not isinstance(value, bytes):",
      '        return {"value": "string" if isinstance(value, str) else type(value).__name__}',
      '    return {"value": bytes([len(value) & 0xFF]) + value}',
    ].join("\n"),
  ],
  [BYTE_SOURCES.dropFirst, 'def handle(r, ctx):\n    return {"value": r["value"][1:]}\n'],
  [
    BYTE_SOURCES.sumAndEcho,
    [
      "def handle(r, ctx):",
      '    total = (sum(r["value"]) + 2**31) % 2**32 - 2**31',
      '    return [{"value": total}, {"value": r["value"]}]',
    ].join("\n"),
  ],
  [
    BYTE_SOURCES.xorStream,
    [
      "async def stream(chunks, ctx):",
      "    at = 0",
      "    async for chunk in chunks:",
      '        out = bytes(b ^ 0xFF for b in chunk["value"])',
      "        ctx.write(out[:2])",
      "        ctx.write(memoryview(out)[2:])",
      "        at += len(out)",
      '        yield {"value": {"upTo": at}}',
    ].join("\n"),
  ],
  [
    BYTE_SOURCES.writeThenFail,
    [
      "def stream(chunks, ctx):",
      "    for chunk in chunks:",
      '        ctx.write(bytearray(chunk["value"]))',
      '        if chunk["value"][0] == 13:',
      '            raise Exception("unlucky chunk")',
    ].join("\n"),
  ],
  [BYTE_SOURCES.writeValue, 'def handle(r, ctx):\n    ctx.write(r["value"])\n    return None\n'],
];

/**
 * The prototype-tampering case: its TypeScript source is built from lines in the suite, so its
 * counterpart is matched by its first line and the replaced intrinsics it names.
 */
const TAMPERING = [
  "import builtins, json",
  "def handle(r, ctx):",
  '    if r["value"] == 1:',
  "        builtins.poisoned = 1",
  "        builtins.len = None",
  "        builtins.isinstance = lambda *a: False",
  "        builtins.str = None",
  "        builtins.dict = None",
  "        builtins.list = None",
  "        json.dumps = lambda *a, **k: '\"poisoned\"'",
  '        json.loads = lambda *a, **k: {"poisoned": True}',
  "        json.JSONEncoder = None",
  "        json.JSONDecoder = None",
  '    seen = (ctx.state.get("seen") or 0) + 1',
  '    ctx.state.put("seen", seen)',
  '    ctx.log.info("record", {"n": r["value"]})',
  '    ctx.emit("alerts", {"value": seen, "headers": {"h": "v"}})',
  '    return {"value": r["value"] * 2}',
].join("\n");

const PYTHON_GUARDED = (attack: string): string =>
  [
    "async def handle(record, ctx):",
    '    if record["value"] == "bad":',
    `        ${attack}`,
    '    return {"value": record["value"] * 2}',
  ].join("\n");

const TABLE = new Map<string, string>([
  ...SOURCES,
  ...BYTE_CASES,
  ...GUARDED_ATTACKS.map(([ts, py]): [string, string] => [guarded(ts), PYTHON_GUARDED(py)]),
]);

export const pythonDialect: Dialect = {
  language: "python",
  source(code) {
    const python = TABLE.get(code);
    if (python !== undefined) return python;
    if (code.includes("(Object.prototype as any).x = 1;") && code.includes('ctx.emit("alerts"'))
      return TAMPERING;
    throw new Error(`the Python dialect has no counterpart of this case's source:\n${code}`);
  },
};
