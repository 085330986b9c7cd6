import { guarded } from "../../harness";

/**
 * The attacks the suite wraps in `guarded(...)` (a handler that runs the attack on the record
 * "bad" and doubles the others), each with its Python counterpart.
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

/** The containment cases (suites/containment.ts) written out whole: each TypeScript source and its Python counterpart. */
const WHOLE_CASES: [string, string][] = [
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

/** The containment cases: those written out whole, then the guarded attacks. */
export const CONTAINMENT_SOURCES: [string, string][] = [
  ...WHOLE_CASES,
  ...GUARDED_ATTACKS.map(([ts, py]): [string, string] => [guarded(ts), PYTHON_GUARDED(py)]),
];

/** The prototype-tampering case's counterpart, when `code` is that case. */
export function tamperingCounterpart(code: string): string | undefined {
  return code.includes("(Object.prototype as any).x = 1;") && code.includes('ctx.emit("alerts"')
    ? TAMPERING
    : undefined;
}
