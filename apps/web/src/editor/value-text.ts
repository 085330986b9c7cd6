// A record's value as the editor's panels show it. The API gives byte values in their JSON form
// (`{ "$bytes": "<base64>", "length": n }`, see @weir/domain byte-json): they are shown as their
// size and a preview, as text when the bytes are printable UTF-8, else as hex.
import { base64ToBytes, fromByteJson, isBytes, isBytesJson } from "@weir/domain";
import type { BytesJson } from "@weir/domain";

/** Bytes shown in a preview at most. */
export const PREVIEW_BYTES = 32;

function plural(n: number): string {
  return `${n.toLocaleString("en-US")} byte${n === 1 ? "" : "s"}`;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The bytes as text when they are UTF-8 with nothing unprintable but line breaks and tabs. */
function printable(bytes: Uint8Array): string | undefined {
  // A preview may end in the middle of a character (at most 3 of its bytes): still text.
  for (let cut = 0; cut <= Math.min(3, bytes.length - 1); cut++) {
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      continue;
    }
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  }
  return undefined;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** "N bytes" and a preview of the first bytes: `12 bytes "hello world\n"` or `4 bytes 89 50 4e 47`. */
export function describeBytes(value: BytesJson | Uint8Array): string {
  const all = isBytes(value) ? value : base64ToBytes(value.$bytes);
  // Of BytesJson, the whole size (a preview holds only the first bytes).
  const { length } = value;
  if (length === 0) return "0 bytes";
  const head = all.subarray(0, PREVIEW_BYTES);
  const more = length > head.length ? "…" : "";
  const text = printable(head);
  if (text !== undefined) return `${plural(length)} ${JSON.stringify(text)}${more}`;
  return `${plural(length)} ${hex(head)}${more}`;
}

/** A value from the API as one line (or indented JSON): bytes described, JSON as JSON. */
export function valueText(value: unknown, indent?: number): string {
  if (isBytesJson(value)) return describeBytes(value);
  const plain = fromByteJson(value);
  // JSON.stringify has no text for undefined (a record that lost its value).
  if (plain === undefined) return "undefined";
  return JSON.stringify(
    plain,
    (_key, item: unknown) => (isBytes(item) ? `<${describeBytes(item)}>` : item),
    indent,
  );
}
