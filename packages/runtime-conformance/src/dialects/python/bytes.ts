import { BYTE_SOURCES } from "../../suites/bytes";

/** The byte-value cases (suites/bytes.ts): `bytes` in, `bytes` out, `ctx.write(bytes)`. */
export const BYTE_CASES: [string, string][] = [
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
