/** The outputs and ports cases (suites/outputs.ts): each TypeScript source and its Python counterpart. */
export const OUTPUTS_SOURCES: [string, string][] = [
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
];
