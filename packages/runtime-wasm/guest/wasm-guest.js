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
    const result = dispatch(operation, argument, /** @type {Uint8Array | undefined} */ (bytes));
    // componentize-js settles a returned promise through its `then`: give it the engine's own,
    // whatever the function has done to Promise.prototype.then.
    if (result instanceof PromiseCtor)
      DefineProperty(
        result,
        "then",
        /** @type {PropertyDescriptor} */ ({ __proto__: null, value: PromiseThen }),
      );
    return result;
  };
}
