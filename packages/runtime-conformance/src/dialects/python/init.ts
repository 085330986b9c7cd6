/** The init cases (suites/init.ts): each TypeScript source and its Python counterpart. */
export const INIT_SOURCES: [string, string][] = [
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
];
