// Avro decimals: an unscaled big-endian two's-complement integer, with the scale in the schema.
// Weir carries them as exact decimal strings ("-12.50"), never as floats.
import { SchemaMismatchError } from "./json";

export function decimalToString(bytes: Uint8Array, scale: number): string {
  let unscaled = 0n;
  for (const byte of bytes) unscaled = (unscaled << 8n) | BigInt(byte);
  if (bytes.length > 0 && (bytes[0] ?? 0) & 0x80) unscaled -= 1n << BigInt(bytes.length * 8);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/** `size` set: a fixed of that many bytes (sign-extended); otherwise the fewest bytes. */
export function decimalFromJson(
  value: unknown,
  precision: number,
  scale: number,
  size: number | undefined,
  path: string,
): Buffer {
  const text = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
  const match = typeof text === "string" ? DECIMAL.exec(text) : null;
  if (!match)
    throw new SchemaMismatchError(
      path,
      `expected a decimal string like "12.50", got ${JSON.stringify(value)}`,
    );
  const [, sign = "", whole = "", fraction = ""] = match;
  const trimmed = fraction.replace(/0+$/, "");
  if (trimmed.length > scale)
    throw new SchemaMismatchError(path, `${String(text)} has more than ${String(scale)} decimal places`);
  const digits = `${whole}${fraction.padEnd(scale, "0").slice(0, scale)}`.replace(/^0+(?=\d)/, "");
  if (digits.length > precision)
    throw new SchemaMismatchError(path, `${String(text)} has more than ${String(precision)} digits`);
  let unscaled = BigInt(digits);
  if (sign === "-") unscaled = -unscaled;
  let length = 1;
  while (unscaled < -(1n << BigInt(length * 8 - 1)) || unscaled >= 1n << BigInt(length * 8 - 1)) length++;
  if (size !== undefined) {
    if (length > size)
      throw new SchemaMismatchError(path, `${String(text)} does not fit in ${String(size)} bytes`);
    length = size;
  }
  const out = Buffer.alloc(length);
  let rest = BigInt.asUintN(length * 8, unscaled);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}
