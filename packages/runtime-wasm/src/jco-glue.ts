/**
 * Post-processing of jco 1.10's generated glue (`component.js`), applied once when a component
 * is transpiled into the cache.
 *
 * jco lowers every string argument with `utf8Encoder.encode(s)` — a fresh ArrayBuffer per
 * string, then a second copy into the guest's memory through a fresh `Uint8Array` over it. For
 * a batch that is two allocations and two copies per record value (~7% of a worker's time for
 * a Go identity, plus the GC they cause). The replacement asks the guest's `realloc` for
 * `s.length` bytes and encodes straight into its memory with `encodeInto`: exact for ASCII (the
 * usual JSON text); otherwise the same allocation is grown with `realloc`, then shrunk to the exact length (the canonical ABI's
 * contract, so a guest without a GC does not leak the first one) and the rest encoded after.
 */
export const JCO_UTF8_ENCODE = `  let utf8EncodedLen = 0;
  function utf8Encode(s, realloc, memory) {
    if (typeof s !== 'string') throw new TypeError('expected a string');
    if (s.length === 0) {
      utf8EncodedLen = 0;
      return 1;
    }
    let buf = utf8Encoder.encode(s);
    let ptr = realloc(0, 0, 1, buf.length);
    new Uint8Array(memory.buffer).set(buf, ptr);
    utf8EncodedLen = buf.length;
    return ptr;
  }`;

const DIRECT_UTF8_ENCODE = `  let utf8EncodedLen = 0;
  // (weir: encodes into the guest's memory, no intermediate buffer; see jco-glue.ts)
  function utf8Encode(s, realloc, memory) {
    if (typeof s !== 'string') throw new TypeError('expected a string');
    if (s.length === 0) {
      utf8EncodedLen = 0;
      return 1;
    }
    let size = s.length;
    let ptr = realloc(0, 0, 1, size);
    let { read, written } = utf8Encoder.encodeInto(s, new Uint8Array(memory.buffer, ptr, size));
    if (read < s.length) {
      // not ASCII: at most 3 bytes per remaining UTF-16 unit
      const grown = written + (s.length - read) * 3;
      ptr = realloc(ptr, size, 1, grown);
      size = grown;
      written += utf8Encoder.encodeInto(s.slice(read), new Uint8Array(memory.buffer, ptr + written, size - written)).written;
      // back to the exact length: a guest frees a string as an allocation of its length
      if (written < size) ptr = realloc(ptr, size, 1, written);
    }
    utf8EncodedLen = written;
    return ptr;
  }`;

/**
 * jco reads `memory.buffer` (a slow accessor on WebAssembly.Memory) at every field it lowers or
 * lifts, to notice that the memory grew. Growing a non-shared memory detaches its old buffer,
 * whose byteLength then reads 0: the cached view is valid while its buffer is not detached and
 * it belongs to the same memory.
 */
export const JCO_DATA_VIEW =
  "const dataView = mem => dv.buffer === mem.buffer ? dv : dv = new DataView(mem.buffer);";
const CACHED_DATA_VIEW =
  "let dvMemory = null;\n  const dataView = mem => dvMemory === mem && dv.buffer.byteLength !== 0 ? dv : (dvMemory = mem, dv = new DataView(mem.buffer));";

/** The glue revision: part of the cache path, so entries made before a change are not reused. */
export const GLUE_REVISION = "glue3";

/** `component.js` with the faster pieces; a piece jco wrote differently is left as it is. */
export function patchJcoGlue(js: string): string {
  let patched = js;
  if (patched.includes(JCO_UTF8_ENCODE)) patched = patched.replace(JCO_UTF8_ENCODE, DIRECT_UTF8_ENCODE);
  if (patched.includes(JCO_DATA_VIEW)) patched = patched.replace(JCO_DATA_VIEW, CACHED_DATA_VIEW);
  return patched;
}
