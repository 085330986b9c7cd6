// @ts-check
// The guest core's adapter in the `wasm` runtime's JS guest: StarlingMonkey, componentized once
// with componentize-js into the `js-guest` world (wit/js-guest.wit). guest-build.ts writes the
// component's entry module from the core (function-contract/src/guest/core.js) and this file,
// both as text, and hands it the world's imports; everything else is the core's.
//
// What differs from the isolate: state reads are synchronous host calls (the worker waits for
// the engine's answer, see host-worker.js), progress is reported through `record-started`, and
// the module function is built here from source.

/** @typedef {import("@weir/function-contract/guest/core.js").GuestHost} GuestHost */
/** @typedef {import("@weir/function-contract/guest/core.js").Dispatch} Dispatch */
/** @typedef {import("@weir/function-contract/guest/core.js").ModuleFunction} ModuleFunction */
/** @typedef {typeof import("@weir/function-contract/guest/core.js").createGuest} CreateGuest */

/**
 * The js-guest world's imports.
 * @typedef {object} WorldImports
 * @property {(level: string, message: string) => void} log
 * @property {(key: string) => string | undefined} get
 * @property {(index: number) => void} recordStarted
 */

/**
 * A host call costs as much as a small record, so a batch reports progress every
 * PROGRESS_EVERY records: each group of them shares one time limit. A group that runs past it
 * ends the call, and the host re-runs the batch one record per call ("single", where every
 * record reports), so each record still gets its full limit and only a culprit fails.
 */
const PROGRESS_EVERY = 64;

/**
 * A result text longer than this leaves the component as UTF-8 bytes (`take-bytes`), not as the
 * `dispatch` string: componentize-js lowers a returned string with a byte-by-byte copy loop
 * that SpiderMonkey interprets, ~0.2 µs per byte (~50 µs per 335-byte record with its outcome),
 * while the guest's TextEncoder is native and a returned `list<u8>` is copied in one go. The
 * string then returned is empty, which no operation's JSON result is. Every call's result is
 * longer than this (an empty batch's is ~80 characters); `configure`'s and `load`'s are not,
 * and the second host call `take-bytes` costs would not pay for itself there. Measured at
 * batch 1, identity: 245 µs with only results over 1 KiB as bytes, 158 µs with this.
 */
const TEXT_AS_BYTES_OVER = 64;

/**
 * The world's `dispatch` export: `configure` (once, with the config JSON) builds the guest;
 * every other operation goes to it. Called when the component's module is evaluated, before
 * any user code, so the intrinsics it keeps are the engine's own.
 * @param {CreateGuest} createGuest
 * @param {WorldImports} world
 * @returns {import("@weir/function-contract/guest/core.js").Dispatch}
 */
export function wasmGuest(createGuest, world) {
  const PromiseCtor = Promise;
  const PromiseThen = Promise.prototype.then;
  const DefineProperty = Object.defineProperty;
  const FunctionCtor = Function;
  const recordStarted = world.recordStarted;
  const encoder = new TextEncoder();
  const EncoderEncode = TextEncoder.prototype.encode;
  const ReflectApply = Reflect.apply;
  /** The last result's text as UTF-8, until `take-bytes` hands it out (before the core's bytes). */
  /** @type {Uint8Array | null} */
  let resultBytes = null;

  /**
   * @template {string | Uint8Array} T
   * @param {T} text
   * @returns {T}
   */
  function leave(text) {
    if (typeof text !== "string" || text.length <= TEXT_AS_BYTES_OVER) return text;
    resultBytes = /** @type {Uint8Array} */ (ReflectApply(EncoderEncode, encoder, [text]));
    return /** @type {T} */ ("");
  }

  /** @type {GuestHost} */
  const host = {
    readState: world.get,
    log: world.log,
    progress(index, single) {
      if (index >= 0 && (single || index % PROGRESS_EVERY === 0)) recordStarted(index);
    },
    moduleFunction(source) {
      // Line N of `source` is line N + 2 of this function's body in stack traces ("> Function:").
      return /** @type {ModuleFunction} */ (FunctionCtor("exports", "module", String(source)));
    },
  };

  /** @type {Dispatch | null} */
  let dispatch = null;
  return function dispatchOperation(operation, argument, bytes) {
    if (operation === "configure") {
      if (dispatch !== null) throw new Error("the guest is configured already");
      dispatch = createGuest(String(argument), host);
      return "{}";
    }
    if (dispatch === null) throw new Error("the guest is not configured");
    if (operation === "take-bytes" && resultBytes !== null) {
      const taken = resultBytes;
      resultBytes = null;
      return taken;
    }
    resultBytes = null;
    const returned = dispatch(operation, argument, /** @type {Uint8Array | undefined} */ (bytes));
    if (!(returned instanceof PromiseCtor)) return leave(returned);
    // A promise of this engine's own, settled from the core's through the engine's `then`
    // (whatever the function has done to Promise.prototype or its species), with the text.
    /** @type {Promise<string>} */
    const result = new PromiseCtor((resolve, reject) => {
      ReflectApply(PromiseThen, returned, [(/** @type {string} */ text) => resolve(leave(text)), reject]);
    });
    // componentize-js settles a returned promise through its `then`: give it the engine's own,
    // whatever the function has done to Promise.prototype.then.
    DefineProperty(
      result,
      "then",
      /** @type {PropertyDescriptor} */ ({ __proto__: null, value: PromiseThen }),
    );
    return result;
  };
}
