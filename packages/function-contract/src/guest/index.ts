// The guest core (core.js) and the adapters beside each runtime are ES modules, so that they are
// type-checked and unit-tested as modules; the sandboxes load them as text. These helpers make
// that text: a module becomes an expression whose value holds its exported functions.
import { readFileSync } from "node:fs";
import type { WeirRecord } from "@weir/domain";
import { jsonTextOf } from "@weir/domain";

const EXPORTED_FUNCTION = /^export (async )?function (\w+)/gm;

/**
 * A module with no imports whose exports are all `export function name(…)` declarations, as an
 * expression (`(function () { … return { name, … }; })()`) to embed in a script or another
 * module. Line N of the module stays line N + 1 of the expression.
 */
export function moduleAsExpression(text: string, file = "module"): string {
  const names: string[] = [];
  const body = text.replace(EXPORTED_FUNCTION, (_match, isAsync: string | undefined, name: string) => {
    names.push(name);
    return `${isAsync ?? ""}function ${name}`;
  });
  const stray = /^\s*(import|export)\b/m.exec(body);
  if (stray) {
    throw new Error(
      `${file}: only \`export function\` declarations can be loaded as a guest script, found ${stray[0].trim()}`,
    );
  }
  if (names.length === 0) throw new Error(`${file}: exports no function`);
  return `(function () {\n${body}\nreturn { ${names.join(", ")} };\n})()`;
}

let coreText: string | undefined;

/** The guest core (core.js) as an expression whose value has `createGuest`. */
export function guestCoreExpression(): string {
  coreText ??= moduleAsExpression(readFileSync(new URL("./core.js", import.meta.url), "utf8"), "core.js");
  return coreText;
}

/** A batch as the guest core reads it: "<count>\n<record JSON>\n…" (JSON never holds a raw newline). */
export function encodeBatch(batch: readonly WeirRecord[]): string {
  return encodeBatchWithBytes(batch).text;
}

/** A batch's text and, when some of its values are bytes, the one byte array they point into. */
export interface EncodedBatch {
  text: string;
  bytes: Uint8Array | undefined;
}

/**
 * A batch as the guest core reads it, byte values apart: such a record's JSON has
 * `"bytes":[offset,length]` in place of `"value"`, into `bytes` (all of the batch's byte values
 * back to back), so bytes cross without being written as text.
 */
export function encodeBatchWithBytes(batch: readonly WeirRecord[]): EncodedBatch {
  const { text, parts } = encodeBatchWithByteParts(batch);
  if (parts.length === 0) return { text, bytes: undefined };
  let total = 0;
  for (const part of parts) total += part.byteLength;
  // Not zeroed (every byte is written below) and of its own buffer, so that it can be moved
  // into a sandbox rather than copied.
  const unset = Buffer.allocUnsafeSlow(total);
  const bytes = new Uint8Array(unset.buffer, unset.byteOffset, total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { text, bytes };
}

/** A batch's text and its byte values, in order: `bytes` of encodeBatchWithBytes is their concatenation. */
export interface EncodedBatchParts {
  text: string;
  parts: Uint8Array[];
}

/**
 * The batch's text as encodeBatchWithBytes writes it, with the byte values left apart (not
 * copied): a runtime that can hand several arrays to its guest joins them there.
 */
export function encodeBatchWithByteParts(batch: readonly WeirRecord[]): EncodedBatchParts {
  let text = String(batch.length);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const record of batch) {
    const json = jsonTextOf(record);
    if (json !== undefined) {
      // A value still in the text a guest wrote is written as it is, not parsed to be written again.
      text += `\n{"key":${record.key === null ? "null" : JSON.stringify(record.key)},"value":${json},"headers":${JSON.stringify(record.headers)},"timestamp":${JSON.stringify(record.timestamp)}}`;
      continue;
    }
    const value = record.value;
    if (!(value instanceof Uint8Array)) {
      text += `\n${JSON.stringify(record)}`;
      continue;
    }
    parts.push(value);
    text += `\n${JSON.stringify({ key: record.key, bytes: [at, value.byteLength], headers: record.headers, timestamp: record.timestamp })}`;
    at += value.byteLength;
  }
  return { text, parts };
}

/** The tail the core's endCall writes when a call's outputs include bytes. */
const BYTES_TAIL = /,"bytes":\d+(,"fatal":"memory")?\}$/;

/** Whether a call's result text says its outputs include bytes (to be taken with `take-bytes`). */
export function hasByteOutputs(resultText: string): boolean {
  return BYTES_TAIL.test(resultText.slice(-40));
}
