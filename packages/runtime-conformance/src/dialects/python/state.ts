/** The state cases (suites/state.ts): each TypeScript source and its Python counterpart. */
export const STATE_SOURCES: [string, string][] = [
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
];
