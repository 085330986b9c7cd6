/**
 * Post-processing of jco 1.10's generated glue (`component.js`), applied once when a component
 * is transpiled into the cache. The glue only ever runs in the runtime's worker (Node), so it
 * may use Node's `Buffer`.
 *
 * jco lowers every string argument with `utf8Encoder.encode(s)` — a fresh ArrayBuffer per
 * string, then a second copy into the guest's memory through a fresh `Uint8Array` over it. For
 * a batch that is two allocations and two copies per record value (~7% of a worker's time for
 * a Go identity, plus the GC they cause). The replacement measures the string's UTF-8 length
 * (`Buffer.byteLength`, native), asks the guest's `realloc` for exactly that, and writes it
 * straight into the guest's memory through one `Buffer` over it, kept until the memory grows
 * (as the DataView below): no allocation per string on this side, and one `realloc` call.
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

const MEMORY_BYTES_UTF8_ENCODE = `  let utf8EncodedLen = 0;
  // (weir: one Buffer over the guest's memory, kept until the memory grows and its old buffer
  // is detached (its length then reads 0); strings are written into it and read out of it
  // without a view per string)
  let memoryBuffer = Buffer.alloc(0);
  let memoryBufferOf = null;
  const memoryBytes = mem => memoryBufferOf === mem && memoryBuffer.length !== 0 ? memoryBuffer : (memoryBufferOf = mem, memoryBuffer = Buffer.from(mem.buffer));
  function utf8Encode(s, realloc, memory) {
    if (typeof s !== 'string') throw new TypeError('expected a string');
    if (s.length === 0) {
      utf8EncodedLen = 0;
      return 1;
    }
    const size = Buffer.byteLength(s, 'utf8');
    const ptr = realloc(0, 0, 1, size);
    // after realloc, which may have grown the memory
    const bytes = memoryBytes(memory);
    if (!(ptr >= 0 && ptr + size <= bytes.length)) throw new RangeError('realloc returned memory outside the guest: ' + ptr);
    bytes.write(s, ptr, size, 'utf8');
    utf8EncodedLen = size;
    return ptr;
  }
  // (weir: a string lifted out of the guest's memory with the same bounds checks as the
  // Uint8Array jco makes for it, decoded by Buffer (WHATWG replacement of bad UTF-8, as TextDecoder))
  function utf8Lift(memory, ptr, len) {
    const bytes = memoryBytes(memory);
    if (!(ptr >= 0 && len >= 0 && ptr + len <= bytes.length)) throw new RangeError("a string outside the guest's memory: " + ptr + ", " + len);
    return bytes.toString('utf8', ptr, ptr + len);
  }
  // (weir: a u64 from a JS number without two BigInts; anything else as jco did)
  function setUint64(view, at, value) {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      view.setUint32(at, value >>> 0, true);
      view.setUint32(at + 4, Math.floor(value / 4294967296), true);
    } else {
      view.setBigInt64(at, toUint64(value), true);
    }
  }
  // (weir: a record's timestamp lifted as a number, which is what Weir's records hold)
  function getUint64Number(view, at) {
    return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
  }`;

/** jco's lifting of a string (every one: keys, values, header names, messages). */
export const JCO_UTF8_LIFT =
  /utf8Decoder\.decode\(new Uint8Array\((memory\d+)\.buffer, (ptr\d+), (len\d+)\)\)/g;
/** jco's lowering of a u64 (a record's timestamp, and a WASI wall-clock reading). */
export const JCO_U64_LOWER = /dataView\((memory\d+)\)\.setBigInt64\(([^,;]+), toUint64\((\w+)\), true\);/g;
/** jco's lifting of an output record's timestamp. */
export const JCO_TIMESTAMP_LIFT =
  /timestamp: BigInt\.asUintN\(64, dataView\((memory\d+)\)\.getBigInt64\(([^,;]+), true\)\),/g;

/**
 * jco reads `memory.buffer` (a slow accessor on WebAssembly.Memory) at every field it lowers or
 * lifts, to notice that the memory grew. Growing a non-shared memory detaches its old buffer,
 * and a typed array over a detached buffer reads length 0: the cached view is valid while a
 * Uint8Array over the same buffer has a length and the view belongs to the same memory. (A
 * typed array's length is read inline by the JIT; `dv.buffer.byteLength`, two accessors, cost
 * ~10% of the glue's time per record.)
 */
export const JCO_DATA_VIEW =
  "const dataView = mem => dv.buffer === mem.buffer ? dv : dv = new DataView(mem.buffer);";
const CACHED_DATA_VIEW =
  "let dvMemory = null;\n  let dvBytes = new Uint8Array(0);\n  const dataView = mem => dvMemory === mem && dvBytes.length !== 0 ? dv : (dvMemory = mem, dv = new DataView(mem.buffer), dvBytes = new Uint8Array(dv.buffer), dv);";

/**
 * jco lowers every list, empty or not, by asking the guest's `realloc` for `length × size`
 * bytes: a call into the guest per list, for nothing when the list is empty (a record without
 * headers, an outcome without writes). An empty list gets its alignment as its pointer instead,
 * as jco already does for an empty string (`utf8Encode` answers 1): a guest reads no element of
 * it, and a non-null aligned pointer is what Rust's and Go's bindings expect of an empty list.
 */
export const JCO_LIST_ALLOC = /var (result\d+) = (realloc\d*)\(0, 0, (\d+), (len\d+) \* (\d+)\);/g;

/** The glue revision: part of the cache path, so entries made before a change are not reused. */
export const GLUE_REVISION = "glue6";

/**
 * `component.js` with the faster pieces; a piece jco wrote differently is left as it is (the
 * string, u64 and timestamp rewrites only where the helpers they call were put in).
 */
export function patchJcoGlue(js: string): string {
  let patched = js;
  if (patched.includes(JCO_UTF8_ENCODE)) {
    patched = patched.replace(JCO_UTF8_ENCODE, MEMORY_BYTES_UTF8_ENCODE);
    patched = patched.replace(JCO_UTF8_LIFT, "utf8Lift($1, $2, $3)");
    patched = patched.replace(JCO_U64_LOWER, "setUint64(dataView($1), $2, $3);");
    patched = patched.replace(JCO_TIMESTAMP_LIFT, "timestamp: getUint64Number(dataView($1), $2),");
  }
  if (patched.includes(JCO_DATA_VIEW)) patched = patched.replace(JCO_DATA_VIEW, CACHED_DATA_VIEW);
  patched = patched.replace(JCO_LIST_ALLOC, "var $1 = $4 === 0 ? $3 : $2(0, 0, $3, $4 * $5);");
  return patched;
}
