const byteAt = (bytes: Uint8Array, at: number): number => bytes[at] ?? 0;

const PAGE = 65_536;
const MEMORY_SECTION = 5;

/**
 * Gives every memory a core module defines a maximum of its initial size plus `extraMb`, so a
 * guest that allocates without end gets a failing `memory.grow` (and traps) instead of taking
 * the machine's memory: WebAssembly memories live outside the worker's JS heap limit. Existing
 * smaller maximums stay. Returns the module unchanged (and `maxBytes` 0) when it defines no memory.
 */
export function capMemories(module: Uint8Array, extraMb: number): { bytes: Uint8Array; maxBytes: number } {
  const extraPages = Math.ceil((extraMb * 1024 * 1024) / PAGE);
  let offset = 8;
  while (offset < module.length) {
    const id = byteAt(module, offset);
    const size = readU32(module, offset + 1);
    const contentStart = size.next;
    const contentEnd = contentStart + size.value;
    if (id === MEMORY_SECTION) {
      const caps: number[] = [];
      const content = rewriteMemorySection(module.subarray(contentStart, contentEnd), extraPages, caps);
      const sizeBytes = writeU32(content.length);
      const out = new Uint8Array(
        offset + 1 + sizeBytes.length + content.length + (module.length - contentEnd),
      );
      out.set(module.subarray(0, offset + 1), 0);
      out.set(sizeBytes, offset + 1);
      out.set(content, offset + 1 + sizeBytes.length);
      out.set(module.subarray(contentEnd), offset + 1 + sizeBytes.length + content.length);
      return { bytes: out, maxBytes: Math.max(0, ...caps) * PAGE };
    }
    offset = contentEnd;
  }
  return { bytes: module, maxBytes: 0 };
}

function rewriteMemorySection(content: Uint8Array, extraPages: number, caps: number[]): Uint8Array {
  const count = readU32(content, 0);
  const parts: number[] = [...writeU32(count.value)];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const flags = byteAt(content, at);
    if (flags & ~0x03) {
      // shared or 64-bit memories: leave the section as it is
      return content;
    }
    const initial = readU32(content, at + 1);
    let max: number | undefined;
    at = initial.next;
    if (flags & 0x01) {
      const read = readU32(content, at);
      max = read.value;
      at = read.next;
    }
    const cap = Math.min(65_536, initial.value + extraPages, max ?? Infinity);
    caps.push(cap);
    parts.push(0x01, ...writeU32(initial.value), ...writeU32(cap));
  }
  return Uint8Array.from(parts);
}

function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let position = at;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined) throw new Error("truncated WebAssembly binary");
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: position };
    shift += 7;
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}
