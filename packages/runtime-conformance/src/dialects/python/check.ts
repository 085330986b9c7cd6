/** The check cases (suites/check.ts): each TypeScript source and its Python counterpart. */
export const CHECK_SOURCES: [string, string][] = [
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
];
