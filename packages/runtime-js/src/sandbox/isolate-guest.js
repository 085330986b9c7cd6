// @ts-check
// The guest core's adapter inside a V8 isolate (isolated-vm). sandbox.ts loads this module and
// the core as text into the isolate, before the user's module, and calls `isolateGuest` with
// the host's references; everything else is the core's (function-contract/src/guest/core.js).
// Like the core, it keeps intrinsics captured before user code runs.

/** @typedef {import("@weir/function-contract/guest/core.js").GuestHost} GuestHost */
/** @typedef {import("@weir/function-contract/guest/core.js").Dispatch} Dispatch */
/** @typedef {typeof import("@weir/function-contract/guest/core.js").createGuest} CreateGuest */
/**
 * The core's dispatch, but a batch's bytes may come as several arrays, in order.
 * @typedef {(operation: string, argument: unknown, ...parts: Uint8Array[]) => ReturnType<Dispatch>} IsolateDispatch
 */
/**
 * A batch of one record without byte values on the engine's thread: `batch-on-thread` with
 * fewer steps (the core's `one`), and a function of its own so that the call does not gather
 * byte parts it has none of.
 * @typedef {(text: string) => string} BatchOfOne
 */

/**
 * @param {CreateGuest} createGuest
 * @param {string} configJson ports, params and secrets as JSON
 * @param {{ apply: Function }} hostGet an ivm.Reference to the host's state read (key → Promise<JSON text | undefined>)
 * @param {(level: string, message: string) => void} hostLog an ivm.Callback to the host's log
 * @param {SharedArrayBuffer} progressBuffer [record index, start ms], read by the host's watchdog
 * @returns {{ dispatch: IsolateDispatch, one: BatchOfOne }}
 */
export function isolateGuest(createGuest, configJson, hostGet, hostLog, progressBuffer) {
  "use strict";
  const ReflectApply = Reflect.apply;
  const ObjectGetPrototypeOf = Object.getPrototypeOf;
  const PromisePrototype = Promise.prototype;
  const DateNow = Date.now;
  const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
  const TypedArraySet = TypedArrayPrototype.set;
  const Uint8ArrayCtor = Uint8Array;
  const byteLengthOf = Reflect.getOwnPropertyDescriptor(TypedArrayPrototype, "byteLength")?.get;
  const bufferOf = Reflect.getOwnPropertyDescriptor(TypedArrayPrototype, "buffer")?.get;
  const bufferByteLengthOf = Reflect.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")?.get;
  const hostGetApply = hostGet.apply;
  const HOST_GET_OPTIONS = { __proto__: null, result: { __proto__: null, promise: true } };
  /** [0]: index of the record being handled (-1 outside records), [1]: when it started (ms). */
  const progress = new Float64Array(progressBuffer);

  /** @type {GuestHost} */
  const host = {
    async readState(key) {
      /** @type {unknown} */
      let json = await ReflectApply(hostGetApply, hostGet, [undefined, [key], HOST_GET_OPTIONS]);
      // isolated-vm settles this promise with another promise, adopted through `.then`; if the
      // function has replaced Promise.prototype.then that adoption yields the inner promise.
      while (json !== null && typeof json === "object" && ObjectGetPrototypeOf(json) === PromisePrototype) {
        json = await json;
      }
      return typeof json === "string" ? json : undefined;
    },
    log: hostLog,
    progress(index) {
      progress[0] = index;
      progress[1] = DateNow();
    },
    moduleFunction(argument) {
      // The host compiled the module as its own script (file name function.js, for the stack
      // lines) and sends the function itself.
      if (typeof argument !== "function") throw new TypeError("the module did not compile to a function");
      return /** @type {import("@weir/function-contract/guest/core.js").ModuleFunction} */ (argument);
    },
  };
  const dispatch = createGuest(configJson, host);
  const PromiseThen = Promise.prototype.then;

  // A batch the host runs on its own thread (applySync) must answer a string. When it is still
  // waiting as the call returns, it answers "" and the host asks for it again: `collect` (on the
  // thread, after the microtasks that ran meanwhile) answers the text or "", `await` (off the
  // thread) the promise of it.
  /** @type {Promise<string> | null} */
  let waiting = null;
  /** @type {string | null} */
  let settled = null;
  let failed = false;
  /** @type {unknown} */
  let failure = undefined;

  /**
   * A batch's answer on the engine's thread: its text, or "" while it is still waiting.
   * @param {string | Promise<string>} result
   */
  function onThread(result) {
    if (typeof result === "string") return result;
    waiting = result;
    settled = null;
    failed = false;
    ReflectApply(PromiseThen, result, [
      /** @param {string} text */
      (text) => {
        settled = text;
      },
      /** @param {unknown} error */
      (error) => {
        failed = true;
        failure = error;
      },
    ]);
    return "";
  }

  /** @type {IsolateDispatch} */
  function isolateDispatch(operation, argument, ...parts) {
    // A batch's byte values come as one array or several in order (sandbox.ts crossingParts);
    // the core reads one.
    const bytes = parts.length <= 1 ? parts[0] : joined(parts);
    if (operation === "batch-on-thread")
      return onThread(/** @type {string | Promise<string>} */ (dispatch("batch", argument, bytes)));
    if (operation === "collect" || operation === "await") {
      if (settled !== null) {
        const text = settled;
        settled = null;
        waiting = null;
        return text;
      }
      if (failed) {
        failed = false;
        waiting = null;
        throw failure;
      }
      if (operation === "collect" || waiting === null) return "";
      return waiting;
    }
    if (operation === "take-bytes")
      return wholeBuffer(/** @type {Uint8Array} */ (dispatch(operation, argument, bytes)));
    return dispatch(operation, argument, bytes);
  }

  /** @type {BatchOfOne} */
  function batchOfOne(text) {
    return onThread(/** @type {string | Promise<string>} */ (dispatch("one", text)));
  }

  // The host takes a reference to each at once, before the function's code is loaded (which
  // can reach neither).
  return { dispatch: isolateDispatch, one: batchOfOne };

  /**
   * @param {Uint8Array[]} parts
   * @returns {Uint8Array}
   */
  function joined(parts) {
    let total = 0;
    for (let i = 0; i < parts.length; i++) total += lengthOf(parts[i]);
    const all = new Uint8ArrayCtor(total);
    let at = 0;
    for (let i = 0; i < parts.length; i++) {
      ReflectApply(TypedArraySet, all, [parts[i], at]);
      at += lengthOf(parts[i]);
    }
    return all;
  }

  /** @param {unknown} part */
  function lengthOf(part) {
    return byteLengthOf === undefined ? 0 : ReflectApply(byteLengthOf, part, []);
  }

  /**
   * The output bytes as a view of a buffer of their own size: isolated-vm copies a view's whole
   * buffer out of the isolate, and the core's output buffer is reused and larger than one call's
   * bytes (grown by doubling), so a view of it would copy (and keep alive on the host) far more.
   * @param {Uint8Array} taken
   */
  function wholeBuffer(taken) {
    if (byteLengthOf === undefined || bufferOf === undefined || bufferByteLengthOf === undefined)
      return taken;
    const length = ReflectApply(byteLengthOf, taken, []);
    const buffer = ReflectApply(bufferOf, taken, []);
    if (length === ReflectApply(bufferByteLengthOf, buffer, [])) return taken;
    // Not `slice`: it builds its result through the species constructor, which the function can replace.
    const own = new Uint8ArrayCtor(length);
    ReflectApply(TypedArraySet, own, [taken]);
    return own;
  }
}
