// Byte values for prebuilt `weir:function@0.1.0` components, whose records carry their value as
// JSON text only. The world's own rule (wit/weir-function.wit, `weir-record.value`): binary
// payloads travel base64-encoded in a JSON string with the header `content-encoding: base64`.
// So a byte value goes in as that string and header, and an output with that header and a
// base64 string comes back as bytes (the header, which only says how the text holds them, is
// dropped). A component that copies the input record keeps the bytes as they were.

/** The header that marks a value as base64 text of bytes, and its value. */
export const BYTES_HEADER = "content-encoding";
export const BYTES_ENCODING = "base64";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The header entries and value JSON text a component gets for a byte value. */
export function bytesForComponent(
  value: Uint8Array,
  entries: readonly [string, string][],
): { entries: [string, string][]; valueText: string } {
  const base64 = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  return {
    entries: [
      ...entries.filter(([name]) => name.toLowerCase() !== BYTES_HEADER),
      [BYTES_HEADER, BYTES_ENCODING],
    ],
    valueText: JSON.stringify(base64),
  };
}

/**
 * An output's value and headers as Weir takes them: bytes when the component marked the value
 * as base64; a problem (the record fails) when the mark is on something that is not base64 text.
 */
export function fromComponentOutput(
  value: unknown,
  headers: Record<string, string>,
): { value: unknown; headers: Record<string, string> } | { problem: string } {
  const name = Object.keys(headers).find((header) => header.toLowerCase() === BYTES_HEADER);
  if (name === undefined || headers[name]?.toLowerCase() !== BYTES_ENCODING) return { value, headers };
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value))
    return {
      problem: `has the header '${BYTES_HEADER}: ${BYTES_ENCODING}' but its value is not base64 text in a JSON string`,
    };
  const rest = Object.fromEntries(Object.entries(headers).filter(([header]) => header !== name));
  const buffer = Buffer.from(value, "base64");
  return { value: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), headers: rest };
}
